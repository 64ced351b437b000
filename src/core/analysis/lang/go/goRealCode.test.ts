/**
 * Go shapes from the real-world benchmark's misses and false positives (issue 13, second round):
 * a command's error return, package-wide declarations (other files of the package), gRPC client
 * connections, kcp-go sessions. One minimal fixture per shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGo } from './index';

async function findings(src: string): Promise<string[]> {
  const r = await analyzeGo(src, {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}:${f.severity ?? 'warning'}`);
}

test('a command entry point returning an error ends the process: information; its success path stays a warning', async () => {
  const src = `package serve

import (
	"errors"
	"net"
)

type CLI struct{ Listen string }

func (cli *CLI) Run() error {
	l, err := net.Listen("tcp", cli.Listen)
	if err != nil {
		return err
	}
	if cli.Listen == "" {
		return errors.New("no address")
	}
	if cli.Listen == "x" {
		return nil
	}
	return l.Close()
}

func cmdStart(addr string) (int, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 1, err
	}
	if _, err := c.Write([]byte("x")); err != nil {
		return 1, err
	}
	return 0, c.Close()
}

func (s *CLI) Serve() error {
	l, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return err
	}
	if s.Listen == "" {
		return errors.New("no address")
	}
	return l.Close()
}
`;
  assert.deepEqual(await findings(src), [
    '16:l:information', '19:l:warning', '30:c:information', '41:l:warning',
  ]);
});
