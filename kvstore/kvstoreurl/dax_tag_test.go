//go:build !kvstore_nodax

package kvstoreurl

const buildNoDAX = false
