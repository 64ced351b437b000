/**
 * pygo-prec: a response to a HEAD request has no body (net/http gives it http.NoBody), and an acquisition's
 * error assigned to a variable of an enclosing function still tells a literal whether the call failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeGo } from './index';

async function leaks(src: string): Promise<string[]> {
  const r = await analyzeGo(src, {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.variable}`);
}

const HEADER = 'package x\n\nimport (\n\t"context"\n\t"net/http"\n)\n\n';

test('HEAD requests: http.Head, client.Head, and Do/RoundTrip of a request made with the constant HEAD acquire nothing', async () => {
  const src = `${HEADER}func a(u string) int {
	resp, err := http.Head(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func b(c *http.Client, u string) int {
	resp, err := c.Head(u)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func d(c *http.Client, u string) string {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodHead, u, nil)
	if err != nil {
		return ""
	}
	req.Header.Set("X", "y")
	resp, err := c.Do(req)
	if err != nil {
		return ""
	}
	return resp.Header.Get("Content-Length")
}
func e(tr *http.Transport, u string) string {
	req, _ := http.NewRequest("HEAD", u, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return ""
	}
	return resp.Status + req.Method
}
`;
  assert.deepEqual(await leaks(src), []);
});

test('not HEAD: another or a variable method, a lowercase one, a method that may change, a user RoundTripper', async () => {
  const src = `${HEADER}type RT interface {
	RoundTrip(*http.Request) (*http.Response, error)
}
func f1(c *http.Client, u string) int {
	req, _ := http.NewRequest("GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f2(c *http.Client, m, u string) int {
	req, _ := http.NewRequest(m, u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f3(c *http.Client, u string) int {
	req, _ := http.NewRequest("head", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f4(c *http.Client, u string) int {
	req, _ := http.NewRequest(http.MethodHead, u, nil)
	req.Method = "GET"
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f5(c *http.Client, u string, g func(*http.Request)) int {
	req, _ := http.NewRequest(http.MethodHead, u, nil)
	g(req)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f6(c *http.Client, u string) int {
	req, _ := http.NewRequest(http.MethodHead, u, nil)
	req, _ = http.NewRequest(http.MethodGet, u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
func f7(rt http.RoundTripper, u string) int {
	req, _ := http.NewRequest(http.MethodHead, u, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
`;
  assert.deepEqual(await leaks(src), ['17:resp.Body', '25:resp.Body', '33:resp.Body', '42:resp.Body', '51:resp.Body', '60:resp.Body', '68:resp.Body']);
});

test('an error variable of the enclosing function still says whether the call failed in a literal', async () => {
  const src = `${HEADER}type Ctx struct{ Tr *http.Transport }

func (c *Ctx) RoundTrip(req *http.Request) (*http.Response, error) { return c.Tr.RoundTrip(req) }

func outer(c *Ctx, req *http.Request) error {
	var err error
	f := func() bool {
		var resp *http.Response
		resp, err = c.RoundTrip(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}
	f()
	g := func() bool {
		var resp *http.Response
		resp, err = c.RoundTrip(req)
		err = nil
		if err != nil {
			return false
		}
		return resp.StatusCode == 200
	}
	g()
	return err
}
`;
  // g: the status was overwritten: both of its exits are reported.
  assert.deepEqual(await leaks(src), ['29:resp.Body', '31:resp.Body']);
});
