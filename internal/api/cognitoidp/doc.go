// Package cognitoidp serves Amazon Cognito's user-pool API (service
// cognito-idp) over AWS JSON 1.1: POST / with X-Amz-Target naming the
// operation. It decodes each request once into a typed struct, checks the
// caller of management operations, calls the domain packages and renders
// their results and errors in Cognito's exact wire form.
package cognitoidp
