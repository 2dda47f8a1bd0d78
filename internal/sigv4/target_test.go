package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// A signature that does not cover X-Amz-Target could be replayed as
// another operation: such requests are refused.
func TestTargetMustBeSigned(t *testing.T) {
	body := `{"UserPoolId":"us-east-1_abc","Username":"ann"}`
	sum := sha256.Sum256([]byte(body))
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:9229/", strings.NewReader(body))
	now := time.Now()
	// Sign without the target, then add it, as a replaying attacker would.
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"},
		req, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Service: "cognito-idp", Credentials: func(id string) (string, bool) { return "secret", id == "AKID" }}
	if _, err := v.Verify(req, []byte(body)); err != nil {
		t.Fatalf("a request without X-Amz-Target must verify: %v", err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDeleteUser")
	_, err := v.Verify(req, []byte(body))
	var e *Error
	if !errors.As(err, &e) || e.Type != TypeInvalidSignature {
		t.Fatalf("unsigned X-Amz-Target: want InvalidSignatureException, got %v", err)
	}
}
