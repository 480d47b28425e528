package dockercfg

import (
	"context"
	"errors"
	"fmt"

	"github.com/beanswap/beanswap/secret"
)

// PublishInput says which image needs registry auth and where to put it.
type PublishInput struct {
	// Image is the reference Beanstalk will pull.
	Image string
	// Bucket receives the auth file; it must be in the environment's region.
	Bucket string
	// Key defaults to DefaultAuthKey.
	Key string
	// Format is FormatAuths (default) or FormatLegacy.
	Format string
	// Upload tunes encryption and the bucket owner check.
	Upload UploadOptions
	// Load finds the Docker configuration when Publish is given no store.
	Load []Option
	// Credentials, when set, are the registry's credentials resolved
	// already (by a dry run): the store is not asked again (a credential
	// helper may prompt).
	Credentials *Credentials
	// DryRun finds the credentials and renders the file but uploads
	// nothing: Published says what would be written (Uploaded false).
	DryRun bool
}

// Published says what Publish did.
type Published struct {
	Reference Reference
	// Authentication is what Dockerrun.aws.json must carry; nil when the
	// image needs no auth file.
	Authentication *Authentication
	// Location is the object written; zero when nothing was written.
	Location Location
	// NoAuthReason explains why no auth file was needed, when so.
	NoAuthReason string
	// Source says where the credentials came from (file or helper).
	Source string
	// Uploaded is false for a dry run.
	Uploaded bool
	// Credentials are what the file holds; their secrets never print,
	// and Secrets lists them for scrubbing what a tool emits.
	Credentials Credentials
}

// Secrets are the values of the credentials written, in every form the
// auth file holds them (password, token, base64 user:password), for a
// secret.Scrubber.
func (p Published) Secrets() []secret.Value {
	c := p.Credentials
	var out []secret.Value
	if !c.Password.IsZero() {
		out = append(out, c.Password, secret.New(c.Username+":"+c.Password.Reveal()))
	}
	if !c.IdentityToken.IsZero() {
		out = append(out, c.IdentityToken)
	}
	return out
}

// Publish finds the credentials of image's registry in store, writes them
// inline in an auth file and uploads it to S3. Images Beanstalk pulls
// without one (Amazon ECR) are reported, not failed, and need no Docker
// configuration: a nil store is loaded (Load with in.Load) only when the
// registry needs credentials.
func Publish(ctx context.Context, store *Store, client PutObjectAPI, in PublishInput) (Published, error) {
	if in.Bucket == "" {
		return Published{}, errors.New("publish registry auth: no bucket")
	}
	key := in.Key
	if key == "" {
		key = DefaultAuthKey
	}
	ref, err := ParseReference(in.Image)
	if err != nil {
		return Published{}, fmt.Errorf("publish registry auth: %w", err)
	}
	if reason, ok := ref.NeedsNoAuth(); ok {
		return Published{Reference: ref, NoAuthReason: reason}, nil
	}
	var creds Credentials
	if in.Credentials != nil {
		creds = *in.Credentials
	} else {
		if store == nil {
			if store, err = Load(in.Load...); err != nil {
				return Published{}, fmt.Errorf("publish registry auth for %s: %w", in.Image, err)
			}
		}
		if ref, creds, err = store.ForImage(ctx, in.Image); err != nil {
			return Published{}, fmt.Errorf("publish registry auth for %s: %w", in.Image, err)
		}
	}
	body, err := AuthFile(in.Format, creds)
	if err != nil {
		return Published{}, fmt.Errorf("publish registry auth for %s: %w", in.Image, err)
	}
	pub := Published{
		Reference:      ref,
		Authentication: &Authentication{Bucket: in.Bucket, Key: key},
		Location:       Location{Bucket: in.Bucket, Key: key},
		Source:         creds.Source,
		Credentials:    creds,
	}
	if in.DryRun {
		return pub, nil
	}
	if pub.Location, err = Upload(ctx, client, in.Bucket, key, body, in.Upload); err != nil {
		return Published{}, fmt.Errorf("publish registry auth for %s: %w", in.Image, err)
	}
	pub.Uploaded = true
	return pub, nil
}
