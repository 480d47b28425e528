package beanstalktest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	smithytime "github.com/aws/smithy-go/time"
)

// The simulator speaks the AWS Query protocol by reflection over the SDK's
// own input and output types: a request's form fields decode into the
// operation's Input struct, and the Output struct encodes as the XML the
// SDK decodes. Field names are the wire names in this service (checked by
// the round-trip tests), lists are "Name.member.N" on the way in and
// <Name><member>…</member></Name> on the way out.

const xmlNamespace = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"

var timeType = reflect.TypeOf(time.Time{})

// decodeQuery fills the struct pointed to by v from form.
func decodeQuery(form url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("decode query: want a pointer to a struct, got %T", v)
	}
	return decodeStruct(form, "", rv.Elem())
}

func decodeStruct(form url.Values, prefix string, rv reflect.Value) error {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		if err := decodeValue(form, prefix+f.Name, rv.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func decodeValue(form url.Values, key string, fv reflect.Value) error {
	t := fv.Type()
	switch {
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && t.Elem() != timeType:
		if !present(form, key) {
			return nil
		}
		p := reflect.New(t.Elem())
		if err := decodeStruct(form, key+".", p.Elem()); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	case t.Kind() == reflect.Slice:
		n := 0
		for present(form, fmt.Sprintf("%s.member.%d", key, n+1)) {
			n++
		}
		if n == 0 {
			if _, present := form[key]; present {
				fv.Set(reflect.MakeSlice(t, 0, 0)) // "Key=" is an empty list
			}
			return nil
		}
		s := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			item := fmt.Sprintf("%s.member.%d", key, i+1)
			if t.Elem().Kind() == reflect.Struct {
				if err := decodeStruct(form, item+".", s.Index(i)); err != nil {
					return err
				}
			} else if err := decodeValue(form, item, s.Index(i)); err != nil {
				return err
			}
		}
		fv.Set(s)
		return nil
	}
	raw, ok := form[key]
	if !ok || len(raw) == 0 {
		return nil
	}
	return setScalar(key, raw[0], fv)
}

func setScalar(key, raw string, fv reflect.Value) error {
	if fv.Kind() == reflect.Pointer {
		p := reflect.New(fv.Type().Elem())
		if err := setScalar(key, raw, p.Elem()); err != nil {
			return err
		}
		fv.Set(p)
		return nil
	}
	bad := func(what string) error { return fmt.Errorf("%s: expected %s, got %q", key, what, raw) }
	switch {
	case fv.Type() == timeType:
		t, err := smithytime.ParseDateTime(raw)
		if err != nil {
			return bad("an ISO 8601 timestamp")
		}
		fv.Set(reflect.ValueOf(t))
	case fv.Kind() == reflect.String:
		fv.SetString(raw)
	case fv.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return bad("true or false")
		}
		fv.SetBool(b)
	case fv.CanInt():
		n, err := strconv.ParseInt(raw, 10, fv.Type().Bits())
		if err != nil {
			return bad("an integer")
		}
		fv.SetInt(n)
	case fv.CanFloat():
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return bad("a number")
		}
		fv.SetFloat(x)
	default:
		return fmt.Errorf("%s: unsupported field type %s", key, fv.Type())
	}
	return nil
}

// present reports whether form holds key or any field below it.
func present(form url.Values, key string) bool {
	for k := range form {
		if k == key || strings.HasPrefix(k, key+".") {
			return true
		}
	}
	return false
}

// encodeResponse renders an operation's output as the Query protocol's XML
// document. out may be nil for operations without output members.
func encodeResponse(action string, out any, requestID string) []byte {
	return encodeResponseNS(xmlNamespace, action, out, requestID)
}

// encodeResponseNS renders the document for another Query-protocol
// service, whose namespace is ns.
func encodeResponseNS(ns, action string, out any, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<%sResponse xmlns=%q>", action, ns)
	if out != nil {
		rv := reflect.Indirect(reflect.ValueOf(out))
		fmt.Fprintf(&b, "<%sResult>", action)
		encodeFields(&b, rv)
		fmt.Fprintf(&b, "</%sResult>", action)
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", requestID, action)
	return b.Bytes()
}

func encodeErrorNS(ns string, e *APIError, requestID string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<ErrorResponse xmlns=%q><Error><Type>%s</Type><Code>%s</Code><Message>", ns, e.faultType(), e.Code)
	_ = xml.EscapeText(&b, []byte(e.Message))
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", requestID)
	return b.Bytes()
}

func encodeFields(b *bytes.Buffer, rv reflect.Value) {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		encodeValue(b, f.Name, rv.Field(i))
	}
}

func encodeValue(b *bytes.Buffer, name string, v reflect.Value) {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timeType:
		fmt.Fprintf(b, "<%s>%s</%s>", name, smithytime.FormatDateTime(v.Interface().(time.Time)), name)
	case v.Kind() == reflect.Struct:
		fmt.Fprintf(b, "<%s>", name)
		encodeFields(b, v)
		fmt.Fprintf(b, "</%s>", name)
	case v.Kind() == reflect.Slice:
		if v.IsNil() {
			return
		}
		fmt.Fprintf(b, "<%s>", name)
		for i := 0; i < v.Len(); i++ {
			encodeValue(b, "member", v.Index(i))
		}
		fmt.Fprintf(b, "</%s>", name)
	case v.Kind() == reflect.String:
		fmt.Fprintf(b, "<%s>", name)
		_ = xml.EscapeText(b, []byte(v.String()))
		fmt.Fprintf(b, "</%s>", name)
	case v.Kind() == reflect.Bool:
		fmt.Fprintf(b, "<%s>%t</%s>", name, v.Bool(), name)
	case v.CanInt():
		fmt.Fprintf(b, "<%s>%d</%s>", name, v.Int(), name)
	case v.CanFloat():
		fmt.Fprintf(b, "<%s>%s</%s>", name, strconv.FormatFloat(v.Float(), 'f', -1, 64), name)
	}
}

// copyInto copies the fields of src into the same-named fields of dst
// (SDK outputs that repeat a description's members) and returns dst.
func copyInto[T any](dst *T, src any) *T {
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for i := 0; i < sv.NumField(); i++ {
		f := sv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		if d := dv.FieldByName(f.Name); d.IsValid() && d.Type() == f.Type {
			d.Set(sv.Field(i))
		}
	}
	return dst
}
