// Package dockercfg gives Elastic Beanstalk what it needs to run a
// container image: registry credentials, Dockerrun.aws.json and the source
// bundle.
//
//	pub, err := dockercfg.Publish(ctx, nil, s3Client, dockercfg.PublishInput{Image: image, Bucket: "hello-deploys"}) // nil: the docker CLI's config
//	bundle, err := dockercfg.Bundle(dockercfg.NewDockerrun(image, 80, pub.Authentication), nil)
//
// Store reads the user's Docker client configuration the way the docker
// CLI does ($DOCKER_AUTH_CONFIG, then credHelpers[host], credsStore and
// auths of $DOCKER_CONFIG/config.json, ~/.docker/config.json or the legacy
// ~/.dockercfg) and resolves credentials through credential helpers, so
// that AuthFile can write them inline: Beanstalk instances have no
// helpers. Upload puts the file in S3 (docker/dockercfg by default),
// encrypted. Images in Amazon ECR need no file: ForImage says so with
// ErrNoAuthNeeded.
//
// NewDockerrun and Bundle build a version 1 Dockerrun.aws.json and the zip
// Beanstalk deploys; the bytes depend only on the input.
//
// Credentials never print their secrets, and no error quotes one.
package dockercfg
