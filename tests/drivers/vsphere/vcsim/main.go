// A small vCenter simulator for the vsphere driver's tests, written against
// govmomi 0.24's simulator package (Debian's golang-github-vmware-govmomi-dev).
//
// It serves the default VPX inventory on a loopback address, optionally over
// TLS with a given certificate and requiring one user and password, prints
// "VCSIM_URL=<url>" once it listens, and exits cleanly on SIGTERM or SIGINT.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address (host:port)")
	user := flag.String("username", "", "the only user name accepted (any when empty)")
	pass := flag.String("password", "", "the only password accepted")
	cert := flag.String("tlscert", "", "PEM certificate: serve HTTPS with it")
	key := flag.String("tlskey", "", "PEM private key of -tlscert")
	vms := flag.Int("vm", 2, "virtual machines per resource pool")
	flag.Parse()

	model := simulator.VPX()
	model.Machine = *vms
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	defer model.Remove()

	u := &url.URL{Host: *listen}
	if *user != "" {
		u.User = url.UserPassword(*user, *pass)
	}
	model.Service.Listen = u

	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatal(err)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	}

	server := model.Service.NewServer()
	defer server.Close()

	shown := *server.URL
	shown.User = nil
	fmt.Printf("VCSIM_URL=%s\n", shown.String())
	os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
