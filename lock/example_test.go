package lock_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/lock"
)

// Two deploys of one service: the second is refused, naming the holder,
// until the first releases its lease.
func ExampleLocker() {
	sim, err := beanstalktest.NewServer(beanstalktest.Options{}) // its S3 stands in for the real one
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	ctx, client := context.Background(), s3.NewFromConfig(sim.Config())
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("hello-docker")}); err != nil {
		panic(err)
	}
	locker := func(owner string) *lock.Locker {
		return &lock.Locker{S3: client, Bucket: "hello-docker", Key: lock.Key("hello"), TTL: time.Hour, Owner: owner}
	}

	lease, err := locker("alice@ci").Acquire(ctx, "deploy hello:1.4.2")
	if err != nil {
		panic(err)
	}
	_, err = locker("bob@laptop").Acquire(ctx, "deploy hello:1.4.3")
	var held *lock.HeldError
	fmt.Println(errors.Is(err, lock.ErrHeld), errors.As(err, &held) && held.Holder.Owner == "alice@ci")

	_ = lease.Release(ctx)
	_, err = locker("bob@laptop").Acquire(ctx, "deploy hello:1.4.3")
	fmt.Println(err)
	// Output:
	// true true
	// <nil>
}
