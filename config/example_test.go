package config_test

import (
	"errors"
	"fmt"

	"github.com/beanswap/beanswap/config"
)

func ExampleParse() {
	file := []byte(`name: hello
deploy_target: aws-beanstalk
docker_bucket: hello-docker-cfg
live_host: api.hello.example.com
aws_instance_profile: aws-elasticbeanstalk-ec2-role
jwt_issuer: api.hello.example.com
`)
	noEnv := config.WithLookupEnv(func(string) (string, bool) { return "", false })
	c, err := config.Parse("pym-config.yaml", file, noEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Application, c.CNAMEPrefix, c.HostsMin, c.HostsMax, c.LiveURL)
	for _, n := range c.Notes {
		fmt.Println(n)
	}
	// Output:
	// hello hello 1 4 http://api.hello.example.com
	// pym-config.yaml:6: jwt_issuer: ignored by beanswap (an application setting)
}

func ExampleValidationError() {
	file := []byte(`name: hello
deploy_target: gke
aws_hosts_mn: 2
`)
	noEnv := config.WithLookupEnv(func(string) (string, bool) { return "", false })
	_, err := config.Parse("pym-config.yaml", file, noEnv)
	var verr *config.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Printf("%s:%d %s\n", p.File, p.Line, p.Key)
		}
	}
	// Output:
	// pym-config.yaml:2 deploy_target
	// pym-config.yaml:3 aws_hosts_mn
	// pym-config.yaml:0 docker_bucket
	// pym-config.yaml:0 live_host
}
