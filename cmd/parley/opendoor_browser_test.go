package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath returns Debian's chromium, installed by scripts/test.sh.
// Without it the browser test skips, or fails when CI is "true": CI must
// drive a real browser through the open door.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed but CI=true: the browser test must run in CI (scripts/test.sh installs Debian's chromium)")
	}
	t.Skip("browser test skipped: chromium is not installed (scripts/test.sh installs it: apt-get install chromium)")
	return ""
}

// browser starts headless Chromium with JavaScript disabled twice over:
// the blink setting for every page, and the DevTools emulation switch.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1024, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// pageHTML returns the current document as the browser holds it, read
// through the DOM domain (no JavaScript).
func pageHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	return html
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestOpenDoorBrowser drives headless Chromium, with JavaScript disabled,
// through a whole visit of a real node's open door: first contact with a
// file, the codename typed back, a staff reply with the CLI, and the
// return visit that reads it. Screenshots go to the test's temporary
// directory (kept with -test.v on failure in the log).
func TestOpenDoorBrowser(t *testing.T) {
	ctx := browser(t)
	shots := t.TempDir()
	n := newDoorNode(t)
	base := "http://" + n.doorAddr

	// JavaScript is really off: a script that would rewrite the page does not run.
	do(t, ctx, "script probe", chromedp.Navigate(`data:text/html,<p id="probe">off</p><script>document.getElementById("probe").textContent="on"</script>`))
	if h := pageHTML(t, ctx); !strings.Contains(h, `<p id="probe">off</p>`) {
		t.Fatalf("JavaScript ran in the browser: %s", h)
	}

	upload := filepath.Join(t.TempDir(), "ledger.csv")
	os.WriteFile(upload, []byte("date,amount\n2026-01-02,1200\n"), 0o644)
	do(t, ctx, "first visit",
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)),
		chromedp.WaitReady(chromedp.CSS("#new")),
	)
	shot(t, ctx, shots, "1-home")
	do(t, ctx, "write",
		chromedp.Click(chromedp.CSS("#new")),
		chromedp.WaitReady(chromedp.CSS("#message")),
		chromedp.SendKeys(chromedp.CSS("#message"), "The invoices of March are forged.\nSee the ledger."),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{upload}),
	)
	shot(t, ctx, shots, "2-write")
	do(t, ctx, "submit", chromedp.Click(chromedp.CSS(`button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS("#codename")))
	shot(t, ctx, shots, "3-codename")
	m := regexp.MustCompile(`id="codename" lang="en">([a-z ]+)<`).FindStringSubmatch(pageHTML(t, ctx))
	if m == nil {
		t.Fatalf("no codename on the page:\n%s", pageHTML(t, ctx))
	}
	codename := m[1]
	do(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.CSS("#confirm"), strings.ToUpper(codename[:1])+codename[1:]),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS("#received")),
	)
	shot(t, ctx, shots, "4-received")

	var list doorListJSON
	e2eJSON(t, &list, "opendoor", "list", "--dir", n.dir, "--json")
	if len(list.Items) != 1 {
		t.Fatalf("opendoor list: %+v", list)
	}
	out := e2eMust(t, "opendoor", "read", list.Items[0].ID, "--dir", n.dir, "--key", n.key)
	if !strings.Contains(out, "The invoices of March are forged.\nSee the ledger.") || !strings.Contains(out, `File: "ledger.csv" (text/csv, 28 bytes)`) {
		t.Errorf("staff read:\n%s", out)
	}
	e2eMust(t, "opendoor", "reply", list.Items[0].ID, "--dir", n.dir, "--text", "Thank you. Which supplier issued them?")

	do(t, ctx, "return visit",
		chromedp.Navigate(base+"/en/"),
		chromedp.Click(chromedp.CSS("#return")),
		chromedp.WaitReady(chromedp.CSS("#codename")),
		chromedp.SendKeys(chromedp.CSS("#codename"), strings.ReplaceAll(codename, " ", "-")),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS("#replies")),
	)
	shot(t, ctx, shots, "5-replies")
	if h := pageHTML(t, ctx); !strings.Contains(h, "Thank you. Which supplier issued them?") {
		t.Errorf("the reply is not on the visitor's page:\n%s", h)
	}
	do(t, ctx, "write again",
		chromedp.SendKeys(chromedp.CSS("#message"), "Supplier: Northwind."),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS("#received")),
	)
	e2eJSON(t, &list, "opendoor", "list", "--dir", n.dir, "--kind", "submission", "--json")
	if len(list.Items) != 2 || list.Items[0].Visitor != list.Items[1].Visitor {
		t.Errorf("after writing again: %+v", list)
	}
	// French, and a wrong codename.
	do(t, ctx, "wrong codename in French",
		chromedp.Navigate(base+"/fr/return"),
		chromedp.SendKeys(chromedp.CSS("#codename"), "otter bamboo cliff anchor velvet maple harbor quill"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS("#codename-error")),
	)
	shot(t, ctx, shots, "6-wrong-fr")
	if h := pageHTML(t, ctx); !strings.Contains(h, "Nous ne reconnaissons pas ce nom de code") {
		t.Errorf("wrong codename page:\n%.3000s", h)
	}
	t.Logf("screenshots in %s", shots)
	if os.Getenv("PARLEY_SCREENSHOTS") != "" {
		os.CopyFS(os.Getenv("PARLEY_SCREENSHOTS"), os.DirFS(shots))
	}
}
