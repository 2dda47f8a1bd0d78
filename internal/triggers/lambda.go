package triggers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// LambdaInvoker runs trigger functions through the AWS Lambda Invoke API,
// POST /2015-03-31/functions/{FunctionName}/invocations, signed with SigV4
// for the service "lambda": real AWS Lambda, or a local runner that serves
// the same API (sam local start-lambda, LocalStack).
type LambdaInvoker struct {
	// Endpoint is the base URL of the Invoke API (--lambda-endpoint), such
	// as http://127.0.0.1:3001 for sam local start-lambda. Empty means AWS:
	// https://lambda.REGION.amazonaws.com.
	Endpoint string
	// Region signs the requests; empty means the region of the function's
	// ARN, or us-east-1 for a bare function name.
	Region string
	// Credentials sign the requests (static keys from the configuration or
	// the environment). Nil sends them unsigned, which local runners accept.
	Credentials aws.CredentialsProvider
	// Client defaults to one without a timeout of its own.
	Client *http.Client
	// Timeout bounds each attempt; 0 means DefaultTimeout, Cognito's five
	// seconds.
	Timeout time.Duration
	// Attempts is how many times a function that does not answer within
	// Timeout is called; 0 means DefaultAttempts, as Cognito.
	Attempts int
	// OmitQualifier leaves the ?Qualifier= of a qualified ARN out of the
	// request. sam local start-lambda refuses every query parameter
	// ("Query Parameters are not supported") and knows no versions or
	// aliases; Lambda itself needs the qualifier.
	OmitQualifier bool
}

// Invoke runs the function synchronously (X-Amz-Invocation-Type:
// RequestResponse) and returns its response payload.
func (l *LambdaInvoker) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, error) {
	return l.invoke(ctx, functionARN, payload, "RequestResponse")
}

// InvokeAsync queues the function (X-Amz-Invocation-Type: Event); Lambda
// answers 202 before the function runs.
func (l *LambdaInvoker) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	_, err := l.invoke(ctx, functionARN, payload, "Event")
	return err
}

func (l *LambdaInvoker) invoke(ctx context.Context, functionARN string, payload []byte, invocationType string) ([]byte, error) {
	fn := ParseFunction(functionARN)
	target, region, err := l.target(fn)
	if err != nil {
		return nil, &InvocationError{Function: functionARN, Err: err}
	}
	return attempts(ctx, functionARN, l.Timeout, l.Attempts, func(ctx context.Context) ([]byte, error) {
		return l.once(ctx, functionARN, target, region, payload, invocationType)
	})
}

// target is the Invoke URL of fn and the region to sign for.
func (l *LambdaInvoker) target(fn Function) (string, string, error) {
	region := l.Region
	if region == "" {
		region = fn.Region
	}
	if region == "" {
		region = "us-east-1"
	}
	base := strings.TrimRight(l.Endpoint, "/")
	if base == "" {
		if strings.ContainsAny(region, "/:@?# ") {
			return "", "", fmt.Errorf("region %q is not a region name", region)
		}
		base = "https://lambda." + region + ".amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			base += ".cn"
		}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", fmt.Errorf("lambda endpoint %q is not an http(s) URL", l.Endpoint)
	}
	escaped := strings.TrimRight(u.EscapedPath(), "/") + "/2015-03-31/functions/" + url.PathEscape(fn.Name) + "/invocations"
	path, err := url.PathUnescape(escaped)
	if err != nil {
		return "", "", fmt.Errorf("lambda endpoint %q has a malformed path", l.Endpoint)
	}
	u.Path, u.RawPath = path, escaped
	u.RawQuery, u.Fragment = "", ""
	if fn.Qualifier != "" && !l.OmitQualifier {
		u.RawQuery = url.Values{"Qualifier": {fn.Qualifier}}.Encode()
	}
	return u.String(), region, nil
}

// once makes one Invoke call and reads its reply in full, within ctx.
func (l *LambdaInvoker) once(ctx context.Context, function, target, region string, payload []byte, invocationType string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, &InvocationError{Function: function, Err: fmt.Errorf("building the request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", invocationType)
	if l.Credentials != nil {
		creds, err := l.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, &InvocationError{Function: function, Err: fmt.Errorf("retrieving credentials: %w", err)}
		}
		sum := sha256.Sum256(payload)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", region, time.Now()); err != nil {
			return nil, &InvocationError{Function: function, Err: fmt.Errorf("signing the request: %w", err)}
		}
	}
	client := l.Client
	if client == nil {
		client = defaultClient
	}
	resp, body, err := send(client, req, function)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, apiError(function, resp, body)
	}
	if kind := resp.Header.Get("X-Amz-Function-Error"); kind != "" {
		return nil, functionError(function, kind, body)
	}
	return body, nil
}

// Function names a Lambda function as the Invoke API takes it.
type Function struct {
	// Name is the function name of an ARN, or the whole value when it is
	// not a Lambda function ARN (a bare name, or a name:qualifier).
	Name string
	// Qualifier is the version or alias of a qualified ARN.
	Qualifier string
	// Region and Account come from the ARN; empty for a bare name.
	Region  string
	Account string
}

// ParseFunction splits a function ARN,
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], into its
// parts. A value of any other shape is taken as the function name as is.
func ParseFunction(arnOrName string) Function {
	parts := strings.Split(arnOrName, ":")
	if (len(parts) == 7 || len(parts) == 8) && parts[0] == "arn" && parts[1] != "" &&
		parts[2] == "lambda" && parts[5] == "function" && parts[6] != "" {
		f := Function{Name: parts[6], Region: parts[3], Account: parts[4]}
		if len(parts) == 8 {
			f.Qualifier = parts[7]
		}
		return f
	}
	return Function{Name: arnOrName}
}
