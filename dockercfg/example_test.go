package dockercfg_test

import (
	"context"
	"fmt"

	"github.com/beanswap/beanswap/dockercfg"
)

func ExampleStore_ForImage() {
	// A config.json as "docker login" leaves it (credentials inline).
	store, err := dockercfg.Parse("config.json", []byte(`{"auths":{"registry.example.com:5000":{"auth":"ZGVwbG95OnMzY3IzdA=="}}}`), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, creds, err := store.ForImage(context.Background(), "registry.example.com:5000/team/app:1.2")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ref.Registry, ref.Repository, ref.Tag)
	fmt.Println(creds)
	// Output:
	// registry.example.com:5000 team/app 1.2
	// password for registry.example.com:5000 as "deploy" from config.json
}

func ExampleNewDockerrun() {
	d := dockercfg.NewDockerrun("team/app:1.2", 80, &dockercfg.Authentication{Bucket: "team-docker-cfg", Key: dockercfg.DefaultAuthKey})
	out, err := d.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// {
	//   "AWSEBDockerrunVersion": "1",
	//   "Authentication": {
	//     "Bucket": "team-docker-cfg",
	//     "Key": "docker/dockercfg"
	//   },
	//   "Image": {
	//     "Name": "team/app:1.2",
	//     "Update": "true"
	//   },
	//   "Ports": [
	//     {
	//       "ContainerPort": "80"
	//     }
	//   ]
	// }
}
