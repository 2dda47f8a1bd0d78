package userpool

import (
	"crypto/rand"
	"math/big"
)

const (
	alnum      = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// randomString draws n characters from alphabet with crypto/rand.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("userpool: crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// NewPoolID returns an id in Cognito's form: REGION_ and 9 alphanumerics.
func NewPoolID(region string) string { return region + "_" + randomString(alnum, 9) }

// NewClientID returns an app client id: 26 lowercase alphanumerics.
func NewClientID() string { return randomString(lowerAlnum, 26) }

// NewClientSecret returns a client secret: 51 lowercase alphanumerics.
func NewClientSecret() string { return randomString(lowerAlnum, 51) }

// newSecretID names one of a client's secrets.
func newSecretID(clientID string) string { return clientID + "--" + randomString(lowerAlnum, 12) }
