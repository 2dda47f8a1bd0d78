// Package password holds what Cogito knows about user passwords: the pool's
// password policy (Cognito's PasswordPolicyType, used as the wire type), the
// checks Cognito applies when a password is set, temporary-password
// generation, and the stored password record.
//
// Why the record holds two things. Cognito users sign in either by sending
// the password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted UI)
// or by proving it with SRP (USER_SRP_AUTH, the default of
// amazon-cognito-identity-js and Amplify). The first needs a password hash to
// compare with, the second needs an SRP verifier, and neither can be derived
// from the other without the plaintext. New therefore computes both while the
// plaintext is at hand: an argon2id hash (OWASP's m=7 MiB, t=5, p=1) and the
// SRP salt and verifier of internal/srp, so a user can switch flows without a
// migration.
//
// The record names its scheme and parameters, so hashes imported from other
// systems (bcrypt, PBKDF2, scrypt) can be added as further schemes and
// verified with their own parameters; such records have no SRP verifier until
// the user next signs in with the password and the record is rebuilt with New
// (NeedsRehash reports when to).
//
// A caveat on strength: the SRP verifier is, for an offline attacker, a far
// cheaper target than the argon2id hash (see the internal/srp package
// comment), so a stolen record is only as strong as its verifier. That is a
// property of Cognito's protocol, not of this package.
//
// Error messages are Cognito's own; see PolicyError and FormatError for
// where each comes from.
package password
