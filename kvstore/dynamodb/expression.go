package dynamodb

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxExpressionLen is DynamoDB's limit on one expression string (4 KB).
const maxExpressionLen = 4096

// expr collects the placeholders of one request's expressions. Every attribute name
// and value goes through a placeholder, so reserved words (ttl) and arbitrary hash
// field names are safe, and placeholders stay short ("#0", ":1") so that an update of
// many hash fields fits in an expression.
type expr struct {
	names  map[string]string
	values map[string]types.AttributeValue
	byName map[string]string
}

// name returns the placeholder of an attribute name, reusing it when seen before.
func (e *expr) name(attr string) string {
	if p, ok := e.byName[attr]; ok {
		return p
	}
	if e.names == nil {
		e.names = make(map[string]string)
		e.byName = make(map[string]string)
	}
	p := "#" + strconv.FormatInt(int64(len(e.names)), 36)
	e.names[p] = attr
	e.byName[attr] = p
	return p
}

// value returns a new placeholder for a value.
func (e *expr) value(av types.AttributeValue) string {
	if e.values == nil {
		e.values = make(map[string]types.AttributeValue)
	}
	p := ":" + strconv.FormatInt(int64(len(e.values)), 36)
	e.values[p] = av
	return p
}

// Names returns the ExpressionAttributeNames (nil when none).
func (e *expr) Names() map[string]string { return e.names }

// Values returns the ExpressionAttributeValues (nil when none).
func (e *expr) Values() map[string]types.AttributeValue { return e.values }

// live is a condition that the item has not expired: it has no x, or x is later than
// now. Every condition that wants a value present, or merges into it, carries it.
func live(e *expr) string {
	x := e.name(attrExpiry)
	return "(attribute_not_exists(" + x + ") OR " + x + " > " + e.value(avN(nowMillis())) + ")"
}

// absent is a condition that the item is absent to kvstore: missing, or expired.
func absent(e *expr) string {
	return "(attribute_not_exists(" + e.name(attrHK) + ") OR " + e.name(attrExpiry) + " <= " + e.value(avN(nowMillis())) + ")"
}
