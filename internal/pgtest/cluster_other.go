//go:build !unix

package pgtest

import "errors"

type cluster struct{ Port int }

func startCluster() (*cluster, error) {
	return nil, errors.New("throwaway clusters are only supported on unix; set TEST_DATABASE_URL")
}

func (c *cluster) stop() error { return nil }
