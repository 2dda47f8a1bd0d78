package triggers

import (
	"context"
	"errors"

	"github.com/cogito-idp/cogito/internal/errs"
)

// Router is the Invoker Cogito wires in: a function with a webhook URL goes
// to Webhooks, any other to Lambda. Either may be nil.
type Router struct {
	Webhooks *WebhookInvoker
	Lambda   *LambdaInvoker
}

var (
	_ AsyncInvoker = (*Router)(nil)
	_ AsyncInvoker = (*LambdaInvoker)(nil)
	_ AsyncInvoker = (*WebhookInvoker)(nil)
)

// pick chooses the invoker of functionARN.
func (r *Router) pick(functionARN string) (AsyncInvoker, error) {
	if r != nil {
		if _, ok := r.Webhooks.URL(functionARN); ok {
			return r.Webhooks, nil
		}
		if r.Lambda != nil {
			return r.Lambda, nil
		}
	}
	return nil, errs.New(errs.UnexpectedLambda, "no way to invoke %s: configure --lambda-endpoint or a webhook", functionARN)
}

// Invoke runs the function through its webhook or Lambda. With neither, it
// fails with UnexpectedLambdaException.
func (r *Router) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, error) {
	inv, err := r.pick(functionARN)
	if err != nil {
		return nil, err
	}
	return inv.Invoke(ctx, functionARN, payload)
}

// InvokeAsync starts the function through its webhook or Lambda.
func (r *Router) InvokeAsync(ctx context.Context, functionARN string, payload []byte) error {
	inv, err := r.pick(functionARN)
	if err != nil {
		return err
	}
	return inv.InvokeAsync(ctx, functionARN, payload)
}

// invokeAsync starts a function through inv without waiting for its
// result when inv can, and otherwise runs it and ignores the function's own
// failure.
func invokeAsync(ctx context.Context, inv Invoker, functionARN string, payload []byte) error {
	if a, ok := inv.(AsyncInvoker); ok {
		return a.InvokeAsync(ctx, functionARN, payload)
	}
	_, err := inv.Invoke(ctx, functionARN, payload)
	var fe *FunctionError
	if errors.As(err, &fe) {
		return nil
	}
	return err
}
