// Package users holds the users of a pool: creating them, finding them by
// username, alias or sub, their attributes under the pool's schema and alias
// rules, their status, passwords and group memberships, and ListUsers.
//
// Everything here is what the administrator's API does; the end-user flows
// (sign-up, confirmation codes, sign-in) build on the same Service.
package users
