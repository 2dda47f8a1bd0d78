package server_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
)

// TestConcurrentWrites sends conflicting writes at once: uniqueness must
// hold, read-modify-write updates must not lose each other's changes, and
// no request may fail with an internal error (e.g. a busy database).
func TestConcurrentWrites(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env := cogitotest.Start(t, opts)
		c := env.Client
		const n = 8

		t.Run("SameUsername", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, errs[i] = c.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{UserPoolId: aws.String(p), Username: aws.String("racer"),
						MessageAction: types.MessageActionTypeSuppress, TemporaryPassword: aws.String(goodPassword)})
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
					continue
				}
				wantErr[*types.UsernameExistsException](t, err, "concurrent AdminCreateUser")
			}
			if ok != 1 {
				t.Errorf("%d of %d concurrent creates of one username succeeded, want 1", ok, n)
			}
			if got := describePool(t, c, p).EstimatedNumberOfUsers; got != 1 {
				t.Errorf("EstimatedNumberOfUsers %d, want 1", got)
			}
		})

		t.Run("TagsNotLost", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			arn := describePool(t, c, p).Arn
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, err := c.TagResource(t.Context(), &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{fmt.Sprintf("k%d", i): "v"}})
					if err != nil {
						t.Errorf("concurrent TagResource: %s", describeErr(err))
					}
				})
			}
			wg.Wait()
			lt, err := c.ListTagsForResource(t.Context(), &cip.ListTagsForResourceInput{ResourceArn: arn})
			must(t, err, "ListTagsForResource")
			if len(lt.Tags) != n {
				t.Errorf("%d tags after %d concurrent TagResource calls: %v", len(lt.Tags), n, lt.Tags)
			}
		})

		t.Run("AttributesNotLost", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			createUser(t, c, p, "busy")
			names := []string{"name", "given_name", "family_name", "middle_name", "nickname", "profile", "website", "locale"}
			var wg sync.WaitGroup
			for _, a := range names {
				wg.Go(func() {
					_, err := c.AdminUpdateUserAttributes(t.Context(), &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(p),
						Username: aws.String("busy"), UserAttributes: []types.AttributeType{attr(a, "x-"+a)}})
					if err != nil {
						t.Errorf("concurrent AdminUpdateUserAttributes %s: %s", a, describeErr(err))
					}
				})
			}
			wg.Wait()
			got := attrMap(getUser(t, c, p, "busy").UserAttributes)
			for _, a := range names {
				if got[a] != "x-"+a {
					t.Errorf("attribute %s = %q after concurrent updates", a, got[a])
				}
			}
		})

		t.Run("SameGroupName", func(t *testing.T) {
			t.Parallel()
			p := newPool(t, c, nil)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, errs[i] = c.CreateGroup(t.Context(), &cip.CreateGroupInput{UserPoolId: aws.String(p), GroupName: aws.String("same")})
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
					continue
				}
				wantErr[*types.GroupExistsException](t, err, "concurrent CreateGroup")
			}
			if ok != 1 {
				t.Errorf("%d of %d concurrent CreateGroup calls succeeded, want 1", ok, n)
			}
		})
	})
}
