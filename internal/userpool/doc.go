// Package userpool holds user pools and their app clients and groups: the
// settings Cognito keeps for each (in Cognito's own field names, so they
// round-trip through the API exactly), the defaults Cognito applies, the
// validation rules it enforces, and the operations that manage them.
//
// Settings that later features act on (MFA, Lambda triggers, messages) are
// stored and returned here even where nothing reads them yet.
package userpool
