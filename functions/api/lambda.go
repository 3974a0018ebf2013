package main

import (
	"context"
	"encoding/base64"
	"net/http"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kvlambda/kvlambda/events/httpapi"
)

func startLambda(h *httpapi.Handler) {
	lambda.Start(func(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest) (lambdaevents.APIGatewayV2HTTPResponse, error) {
		return handleEvent(ctx, h, ev), nil
	})
}

// handleEvent turns an API Gateway HTTP API (payload v2) event into a Request and the
// Response back into the gateway's response.
func handleEvent(ctx context.Context, h *httpapi.Handler, ev lambdaevents.APIGatewayV2HTTPRequest) lambdaevents.APIGatewayV2HTTPResponse {
	req := httpapi.Request{
		Method:        ev.RequestContext.HTTP.Method,
		Path:          ev.RawPath,
		Authorization: header(ev.Headers, "authorization"),
		Encoding:      header(ev.Headers, "upstash-encoding"),
		RequestID:     ev.RequestContext.RequestID,
	}
	if req.Path == "" {
		req.Path = ev.RequestContext.HTTP.Path
	}
	if ev.IsBase64Encoded {
		body, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return lambdaevents.APIGatewayV2HTTPResponse{
				StatusCode: http.StatusBadRequest,
				Headers:    map[string]string{"Content-Type": httpapi.ContentType},
				Body:       `{"error":"ERR request body is not valid base64"}`,
			}
		}
		req.Body = body
	} else {
		req.Body = []byte(ev.Body)
	}
	resp := h.Serve(ctx, req)
	return lambdaevents.APIGatewayV2HTTPResponse{
		StatusCode: resp.Status,
		Headers:    map[string]string{"Content-Type": httpapi.ContentType},
		Body:       string(resp.Body),
	}
}

// header finds a header by name whatever its case (API Gateway lower-cases them, a
// local emulator may not).
func header(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			return v
		}
	}
	return ""
}
