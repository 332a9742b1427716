package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebBrowser drives headless Chromium, with JavaScript disabled, through
// the web UI of a real node: an analyst signs in, opens the compose page,
// sends a letter, and finds it on the channel's thread. Skips without
// chromium unless CI=true (chromiumPath).
func TestWebBrowser(t *testing.T) {
	ctx := browser(t)
	shots := t.TempDir()
	root := t.TempDir()
	north, _, _ := e2eInitPair(t, root)
	pw := filepath.Join(root, "pw")
	os.WriteFile(pw, []byte("correct horse battery\n"), 0o600)
	e2eMust(t, "user", "add", "ana", "--role", "analyst", "--password-file", pw, "--dir", north.dir)
	webAddr := e2eFreeAddr(t)
	e2eServe(t, "north", "--dir", north.dir, "--web-listen", webAddr)
	e2eWaitHealthy(t, north.addr, 20*time.Second)
	base := "http://" + webAddr

	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/"), // redirects to /login
		chromedp.WaitReady(chromedp.CSS("#signin")),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "ana"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
	)
	shot(t, ctx, shots, "1-login")
	do(t, ctx, "submit login", chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitReady(chromedp.CSS(`a[href="/channels/south"]`)))
	shot(t, ctx, shots, "2-dashboard")
	do(t, ctx, "compose",
		chromedp.Navigate(base+"/compose?peer=south"),
		chromedp.WaitReady(chromedp.CSS("#send")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="text"]`), "Hello from the browser."),
	)
	shot(t, ctx, shots, "3-compose")
	do(t, ctx, "send", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitReady(chromedp.CSS("#sent")))
	shot(t, ctx, shots, "4-sent")
	if h := pageHTML(t, ctx); !strings.Contains(h, "Queued as message") {
		t.Fatalf("compose result:\n%s", h)
	}
	do(t, ctx, "thread", chromedp.Navigate(base+"/channels/south"), chromedp.WaitReady(chromedp.CSS("table")))
	shot(t, ctx, shots, "5-thread")
	if h := pageHTML(t, ctx); !strings.Contains(h, ">letter</a></td>") {
		t.Errorf("the thread lacks the letter:\n%s", h)
	}
	t.Logf("screenshots in %s", shots)
	if os.Getenv("PARLEY_SCREENSHOTS") != "" {
		os.CopyFS(os.Getenv("PARLEY_SCREENSHOTS"), os.DirFS(shots))
	}
}
