package kvstore

import (
	"encoding"
	"fmt"
	"strconv"
)

// ToBytes converts a value the API accepts (string, []byte, int, int64 or an
// encoding.BinaryMarshaler) to its stored bytes. The result never aliases the
// argument. Any other type, a nil value or a failing or panicking MarshalBinary is an
// ErrInvalidArgument.
func ToBytes(v any) (b []byte, err error) {
	switch v := v.(type) {
	case string:
		return []byte(v), nil
	case []byte:
		if v == nil {
			return []byte{}, nil
		}
		return append([]byte(nil), v...), nil
	case int:
		return strconv.AppendInt(nil, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case encoding.BinaryMarshaler:
		defer func() {
			if r := recover(); r != nil {
				b, err = nil, invalidf("MarshalBinary of %T panicked: %v", v, r)
			}
		}()
		out, err := v.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("%w: MarshalBinary of %T: %w", ErrInvalidArgument, v, err)
		}
		if out == nil {
			out = []byte{}
		}
		return out, nil
	case nil:
		return nil, invalidf("nil value")
	default:
		return nil, invalidf("unsupported value type %T (want string, []byte, int, int64 or encoding.BinaryMarshaler)", v)
	}
}

// ToString is ToBytes returning a string.
func ToString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case int:
		return strconv.FormatInt(int64(v), 10), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	}
	b, err := ToBytes(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ToStrings converts one or more values with ToString.
func ToStrings(first any, rest ...any) ([]string, error) {
	out := make([]string, 0, 1+len(rest))
	s, err := ToString(first)
	if err != nil {
		return nil, err
	}
	out = append(out, s)
	for _, v := range rest {
		s, err := ToString(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
