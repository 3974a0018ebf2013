package bench

import (
	"encoding/json"
	"fmt"
)

// Capacity is an amount of DynamoDB capacity units.
type Capacity struct {
	Read, Write float64
}

// consumed is one ConsumedCapacity object of a DynamoDB response.
type consumed struct {
	CapacityUnits      *float64 `json:"CapacityUnits"`
	ReadCapacityUnits  *float64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits *float64 `json:"WriteCapacityUnits"`
}

// ParseCapacity returns the capacity units a DynamoDB response body of api reports in
// its ConsumedCapacity (an object, or a list for batch and transaction APIs). Units
// reported without a read or write split count as reads for GetItem, Query, Scan,
// BatchGetItem and TransactGetItems, and as writes otherwise. A response without
// ConsumedCapacity reports none.
func ParseCapacity(api string, body []byte) (Capacity, error) {
	var resp struct {
		ConsumedCapacity json.RawMessage `json:"ConsumedCapacity"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return Capacity{}, fmt.Errorf("bench: %s response: %w", api, err)
	}
	raw := resp.ConsumedCapacity
	if len(raw) == 0 || string(raw) == "null" {
		return Capacity{}, nil
	}
	var list []consumed
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			return Capacity{}, fmt.Errorf("bench: %s ConsumedCapacity: %w", api, err)
		}
	} else {
		var one consumed
		if err := json.Unmarshal(raw, &one); err != nil {
			return Capacity{}, fmt.Errorf("bench: %s ConsumedCapacity: %w", api, err)
		}
		list = []consumed{one}
	}
	var c Capacity
	for _, x := range list {
		if x.ReadCapacityUnits != nil || x.WriteCapacityUnits != nil {
			if x.ReadCapacityUnits != nil {
				c.Read += *x.ReadCapacityUnits
			}
			if x.WriteCapacityUnits != nil {
				c.Write += *x.WriteCapacityUnits
			}
			continue
		}
		if x.CapacityUnits == nil {
			continue
		}
		switch api {
		case "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems":
			c.Read += *x.CapacityUnits
		default:
			c.Write += *x.CapacityUnits
		}
	}
	return c, nil
}
