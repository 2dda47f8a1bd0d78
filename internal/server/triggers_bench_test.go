package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/lambdatest"
)

// BenchmarkSignInPreTokenGeneration: USER_PASSWORD_AUTH sign-ins per second
// with a PreTokenGeneration trigger (a Lambda Invoke API double on
// loopback, SigV4-verified) against without one; the difference per
// sign-in is the overhead of one trigger invocation.
func BenchmarkSignInPreTokenGeneration(b *testing.B) {
	for _, withTrigger := range []bool{false, true} {
		name := "without"
		if withTrigger {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			lt := lambdatest.Start(b)
			lt.Handle("pretoken", func(ev lambdatest.Event) (lambdatest.Event, error) {
				lambdatest.Response(ev)["claimsOverrideDetails"] = map[string]any{
					"claimsToAddOrOverride": map[string]any{"tenant": "acme"}}
				return ev, nil
			})
			env := cogitotest.Start(b, server.Options{LambdaEndpoint: lt.URL,
				LambdaAccessKeyID: lambdatest.AccessKeyID, LambdaSecretAccessKey: lambdatest.SecretAccessKey})
			lc := &types.LambdaConfigType{}
			if withTrigger {
				lc.PreTokenGeneration = aws.String(lambdatest.ARN("pretoken"))
			}
			_, clientID := triggerPoolB(b, env, lc)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := annSignIn(env.Client, clientID, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signins/s")
		})
	}
}
