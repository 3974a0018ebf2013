package dynamodb

import "github.com/aws/aws-dax-go-v2/dax"

// The DAX client satisfies Client: checked when the tests compile (go vet and
// make test), not in the library, so that programs without DAX do not link it.
var _ Client = (*dax.Dax)(nil)
