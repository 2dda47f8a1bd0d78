package server_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// Parallel wrong passwords cannot outrun the lockout: each attempt is
// counted in the store before its password is checked, so at most the five
// free attempts are checked, whatever the concurrency.
func TestLockoutHoldsUnderConcurrency(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		_, clientID := triggerPool(t, env.Client, nil)
		var mu sync.Mutex
		checked, locked := 0, 0
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := env.Client.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String(clientID),
					AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
					AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Wrong-Passw0rd!"}})
				var na *types.NotAuthorizedException
				if !errors.As(err, &na) {
					t.Errorf("want NotAuthorizedException, got %v", err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if aws.ToString(na.Message) == "Password attempts exceeded" {
					locked++
				} else {
					checked++
				}
			}()
		}
		wg.Wait()
		if checked > 5 || checked+locked != 20 {
			t.Fatalf("%d passwords were checked (at most 5 may be), %d refused as locked", checked, locked)
		}
	})
}
