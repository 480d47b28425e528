package beanstalktest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fill sets every exported field of v to a recognisable value: the
// round-trip tests below compare what comes out of the SDK with it.
func fill(v reflect.Value, name string, depth int) {
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 89_000_000, time.UTC)))
	case v.Kind() == reflect.Pointer:
		if depth > 5 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), name, depth+1)
		if !p.Elem().IsZero() { // structs cut off by depth stay nil
			v.Set(p)
		}
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.IsExported() && f.Name != "ResultMetadata" {
				fill(v.Field(i), f.Name, depth+1)
			}
		}
	case v.Kind() == reflect.Slice:
		if depth > 5 {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fill(s.Index(i), fmt.Sprintf("%s%d", name, i), depth+1)
		}
		v.Set(s)
	case v.Kind() == reflect.String:
		v.SetString("v-" + name + " & <" + name + ">")
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.CanInt():
		v.SetInt(int64(len(name)))
	case v.CanFloat():
		v.SetFloat(float64(len(name)) + 0.5)
	}
}

// noValidation removes the SDK's client-side input validation, so that
// fully filled (sometimes contradictory) inputs still go on the wire.
func noValidation(o *eb.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		_, _ = st.Initialize.Remove("OperationInputValidation") // absent in operations without required members
		return nil
	})
}

func rawClient(url string) *eb.Client {
	return eb.New(eb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("a", "b", ""),
		Retryer:      aws.NopRetryer{},
	}, noValidation)
}

// invoke calls the client method named action with in.
func invoke(c *eb.Client, action string, in reflect.Value) (reflect.Value, error) {
	m := reflect.ValueOf(c).MethodByName(action)
	res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
	err, _ := res[1].Interface().(error)
	return res[0], err
}

func actionsSorted() []string {
	a := Actions()
	sort.Strings(a)
	return a
}

// TestOutputsRoundTrip encodes a fully filled output of every implemented
// action and has the real SDK decode it: every field must come back.
func TestOutputsRoundTrip(t *testing.T) {
	for _, action := range actionsSorted() {
		t.Run(action, func(t *testing.T) {
			m, ok := reflect.TypeOf(&eb.Client{}).MethodByName(action)
			require.True(t, ok, "the SDK has no %s", action)
			outType := m.Type.Out(0).Elem()
			want := reflect.New(outType)
			fill(want.Elem(), action, 0)
			var body []byte
			if hasMembers(outType) {
				body = encodeResponse(action, want.Interface(), "req-1")
			} else {
				body = encodeResponse(action, nil, "req-1")
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write(body)
			}))
			defer srv.Close()

			in := reflect.New(m.Type.In(2).Elem())
			got, err := invoke(rawClient(srv.URL), action, in)
			require.NoError(t, err)
			got.Elem().FieldByName("ResultMetadata").Set(reflect.Zero(reflect.TypeOf(middleware.Metadata{})))
			assert.Equal(t, want.Interface(), got.Interface())
		})
	}
}

// TestInputsRoundTrip has the SDK serialise a fully filled input of every
// implemented action and decodes the form: every field must come back.
func TestInputsRoundTrip(t *testing.T) {
	for _, action := range actionsSorted() {
		t.Run(action, func(t *testing.T) {
			m, _ := reflect.TypeOf(&eb.Client{}).MethodByName(action)
			inType := m.Type.In(2).Elem()
			var form url.Values
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				form, _ = url.ParseQuery(string(b))
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write(encodeResponse(action, nil, "req"))
			}))
			defer srv.Close()

			want := reflect.New(inType)
			fill(want.Elem(), action, 0)
			_, _ = invoke(rawClient(srv.URL), action, want)
			require.NotNil(t, form)
			assert.Equal(t, action, form.Get("Action"))
			got := reflect.New(inType)
			require.NoError(t, decodeQuery(form, got.Interface()))
			assert.Equal(t, want.Interface(), got.Interface())
		})
	}
}

func TestEncodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &APIError{Code: CodeTooManyEnvironments, Message: "too <many>"}, "rid")
	}))
	defer srv.Close()
	_, err := rawClient(srv.URL).CreateEnvironment(context.Background(), &eb.CreateEnvironmentInput{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TooManyEnvironmentsException: too <many>")
	assert.Contains(t, err.Error(), "RequestID: rid")
}
