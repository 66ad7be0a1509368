/* test_browser.c - the gallery in a real browser: headless Chromium loads
 * a harness page that opens the batch's index.html in an iframe, checks
 * that every image it shows or names loads, opens a case, moves the
 * slider with keys and with pointer events, steps through the sessions,
 * closes with Escape, and checks that the grid reflows at phone width.
 * The harness writes PASS/FAIL lines into its DOM, which Chromium dumps;
 * Chromium's log must show no console message and no uncaught error. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

#define CHROMIUM "/usr/bin/chromium"

/* The checks, run in the harness page once the gallery has loaded; it
 * expects EXPECT_CARDS, EXPECT_CAPTION (the first case's caption) and
 * EXPECT_SESSIONS (the first case's sessions) to be defined. */
static const char *const harness_js[] = {
    "var out = document.getElementById('out'), fails = 0;\n"
    "function log(ok, msg) {\n"
    "  var p = document.createElement('p');\n"
    "  p.textContent = (ok ? 'PASS ' : 'FAIL ') + msg;\n"
    "  if (!ok) fails++;\n"
    "  out.appendChild(p);\n"
    "}\n"
    "function loaded(url) {\n"
    "  return new Promise(function (res) {\n"
    "    var im = new Image();\n"
    "    im.onload = function () { res(im.naturalWidth > 0); };\n"
    "    im.onerror = function () { res(false); };\n"
    "    im.src = url;\n"
    "  });\n"
    "}\n"
    "function settle(img) {\n"
    "  return new Promise(function (res) {\n"
    "    if (img.complete) return res();\n"
    "    img.addEventListener('load', res);\n"
    "    img.addEventListener('error', res);\n"
    "  });\n"
    "}\n"
    "function near(a, b, tol) { return Math.abs(a - b) <= tol; }\n"
    "async function run() {\n"
    "  var f = document.getElementById('f'), doc = f.contentDocument, win = f.contentWindow;\n"
    "  var cards = doc.querySelectorAll('.card-open');\n"
    "  log(cards.length === EXPECT_CARDS, 'cards: ' + cards.length);\n"
    "  log(doc.querySelectorAll('script').length === 1, 'one script element');\n"
    "  var imgs = Array.prototype.slice.call(doc.querySelectorAll('img[src]'));\n"
    "  imgs.forEach(function (im) { im.loading = 'eager'; });\n"
    "  await Promise.all(imgs.map(settle));\n"
    "  var bad = imgs.filter(function (im) { return !(im.complete && im.naturalWidth > 0); });\n"
    "  log(imgs.length > 0 && bad.length === 0, 'grid images loaded: ' + (imgs.length - bad.length) + '/' + imgs.length +\n"
    "      (bad.length ? ' missing ' + bad[0].currentSrc : ''));\n"
    "  var urls = [];\n"
    "  Array.prototype.forEach.call(cards, function (c) {\n"
    "    urls.push(c.href, new URL(c.dataset.before, doc.baseURI).href);\n"
    "    (c.dataset.large + ' ' + c.dataset.small).split(' ').forEach(function (u) {\n"
    "      urls.push(new URL(u, doc.baseURI).href);\n"
    "    });\n"
    "  });\n"
    "  imgs.forEach(function (im) {\n"
    "    (im.getAttribute('srcset') || '').split(',').forEach(function (s) {\n"
    "      s = s.trim().split(' ')[0];\n"
    "      if (s) urls.push(new URL(s, doc.baseURI).href);\n"
    "    });\n"
    "  });\n"
    "  var ok = await Promise.all(urls.map(loaded));\n"
    "  var missing = urls.filter(function (u, i) { return !ok[i]; });\n"
    "  log(missing.length === 0, 'referenced files: ' + (urls.length - missing.length) + '/' + urls.length +\n"
    "      (missing.length ? ' missing ' + missing[0] : ''));\n"
    "\n"
    "  var card = cards[0], dlg = doc.getElementById('viewer');\n"
    "  card.click();\n"
    "  log(dlg.open, 'comparison opens');\n"
    "  log(doc.getElementById('v-title').textContent === card.dataset.id, 'title is the id');\n"
    "  log(doc.getElementById('v-caption').textContent === EXPECT_CAPTION, 'caption as text');\n"
    "  var handle = doc.getElementById('ba-handle'), ba = doc.getElementById('ba');\n"
    "  var line = doc.getElementById('ba-line');\n"
    "  var before = doc.getElementById('ba-before'), after = doc.getElementById('ba-after');\n"
    "  await settle(before);\n"
    "  await settle(after);\n"
    "  log(before.naturalWidth > 0 && after.naturalWidth > 0, 'before and after loaded');\n"
    "  log(doc.activeElement === handle, 'slider has focus');\n"
    "  function now() { return Number(handle.getAttribute('aria-valuenow')); }\n",
    "  function revealed() { return line.getBoundingClientRect().left + 1 - ba.getBoundingClientRect().left; }\n"
    "  var w = ba.getBoundingClientRect().width;\n"
    "  log(w > 100 && handle.getAttribute('role') === 'slider', 'slider shown, width ' + Math.round(w));\n"
    "  log(now() === 50 && near(revealed(), w / 2, 2), 'starts at 50');\n"
    "  function key(k) {\n"
    "    handle.dispatchEvent(new win.KeyboardEvent('keydown', {key: k, bubbles: true, cancelable: true}));\n"
    "  }\n"
    "  key('ArrowRight');\n"
    "  log(now() === 52 && near(revealed(), w * 0.52, 2), 'ArrowRight: ' + now());\n"
    "  key('ArrowLeft'); key('ArrowLeft');\n"
    "  log(now() === 48, 'ArrowLeft: ' + now());\n"
    "  key('End');\n"
    "  log(now() === 100 && near(revealed(), w, 2), 'End: ' + now());\n"
    "  key('Home');\n"
    "  log(now() === 0 && near(revealed(), 0, 2), 'Home: ' + now());\n"
    "  log(before.style.clipPath.indexOf('100%') >= 0, 'before hidden at 0: ' + before.style.clipPath);\n"
    "  var r = ba.getBoundingClientRect(), y = r.top + r.height / 2;\n"
    "  function ptr(type, fx) {\n"
    "    ba.dispatchEvent(new win.PointerEvent(type, {clientX: r.left + r.width * fx, clientY: y,\n"
    "      button: 0, buttons: type === 'pointerup' ? 0 : 1, pointerId: 1, isPrimary: true,\n"
    "      bubbles: true, cancelable: true}));\n"
    "  }\n"
    "  ptr('pointerdown', 0.25);\n"
    "  log(near(now(), 25, 1), 'pointer down at a quarter: ' + now());\n"
    "  ptr('pointermove', 0.75);\n"
    "  log(near(now(), 75, 1) && near(revealed(), w * 0.75, 2), 'pointer drag to three quarters: ' + now());\n"
    "  ptr('pointerup', 0.75);\n"
    "  ptr('pointermove', 0.1);\n"
    "  log(near(now(), 75, 1), 'no drag after pointer up: ' + now());\n"
    "  var steps = doc.querySelectorAll('#v-steps .step');\n"
    "  log(steps.length === Number(EXPECT_SESSIONS), 'session steps: ' + steps.length);\n"
    "  steps[0].click();\n"
    "  log(steps[0].getAttribute('aria-pressed') === 'true' && /session-1-1200\\.jpg$/.test(after.src),\n"
    "      'session 1 shown');\n"
    "  await settle(after);\n"
    "  log(after.naturalWidth > 0, 'session 1 image loaded');\n"
    "  doc.getElementById('v-next').click();\n"
    "  log(dlg.open && doc.getElementById('v-count').textContent.indexOf('2 /') === 0, 'next case');\n"
    "  key('Escape');\n"
    "  log(!dlg.open, 'Escape closes');\n"
    "  log(doc.activeElement === card, 'focus back on the card');\n"
    "  function columns() {\n"
    "    var top = cards[0].getBoundingClientRect().top, n = 0;\n"
    "    Array.prototype.forEach.call(cards, function (c) {\n"
    "      if (Math.abs(c.getBoundingClientRect().top - top) < 2) n++;\n"
    "    });\n"
    "    return n;\n"
    "  }\n"
    "  var wide = columns();\n"
    "  log(wide >= Math.min(3, cards.length), 'columns at 1200 px: ' + wide);\n"
    "  f.style.width = '390px';\n"
    "  await new Promise(function (res) { setTimeout(res, 50); });\n"
    "  var narrow = columns();\n"
    "  log(narrow <= 2 && narrow < wide, 'columns at 390 px: ' + narrow);\n"
    "  log(doc.documentElement.scrollWidth <= 390, 'no sideways scrolling at 390 px: ' +\n"
    "      doc.documentElement.scrollWidth);\n"
    "  log(fails === 0, 'DONE');\n"
    "}\n"
    "document.getElementById('f').addEventListener('load', function () {\n"
    "  run().catch(function (e) { log(false, 'exception ' + e); });\n"
    "});\n",
    NULL};

static const char caption[] = "<script>alert(1)</script> & \"quotes\" 'x'";

static void save_photo(const char *dir, const char *name)
{
    char *p = tu_path(dir, name);
    smp_image *img = tu_skin_photo(240, 180, 120, 95, 96, 76);
    assert_int_equal(smp_image_save(img, p, NULL, NULL), SMP_OK);
    smp_image_free(img);
    free(p);
}

/* s as a JavaScript string literal body: everything but letters and
 * digits as \uXXXX, so no text can end the harness's script. */
static void put_js_string(FILE *fp, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == ' ')
            fputc(c, fp);
        else
            fprintf(fp, "\\u%04x", c);
    }
}

static char *read_text(const char *path)
{
    size_t n = 0;
    char *b = (char *)tu_read(path, &n);
    if (!b)
        b = malloc(1);
    assert_non_null(b);
    char *s = realloc(b, n + 1);
    assert_non_null(s);
    s[n] = '\0';
    return s;
}

/* Runs chromium (under timeout(1)) with stdout and stderr into files. */
static int run_chromium(const char *profile, const char *url,
                        const char *out, const char *err)
{
    char profile_arg[600];
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int devnull = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || devnull < 0)
            _exit(126);
        dup2(devnull, 0);
        dup2(o, 1);
        dup2(e, 2);
        execlp("timeout", "timeout", "120", CHROMIUM, "--headless",
               "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               "--disable-default-apps", "--mute-audio", profile_arg,
               "--allow-file-access-from-files", "--enable-logging=stderr",
               "--v=0", "--window-size=1280,1000",
               "--virtual-time-budget=5000", "--dump-dom", url,
               (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_gallery_in_chromium(void **state)
{
    (void)state;
    if (access(CHROMIUM, X_OK) != 0)
        fail_msg("%s is missing: 'make deps' installs Debian's chromium",
                 CHROMIUM);
    char *dir = tu_tmpdir();
    char *out = tu_path(dir, "out"), *manifest = tu_path(dir, "m.csv");
    save_photo(dir, "a.png");
    save_photo(dir, "b.png");
    FILE *fp = fopen(manifest, "w");
    assert_non_null(fp);
    fputs("id,photo,caption,sessions,hairline,seed\n"
          "first,a.png,\"<script>alert(1)</script> & \"\"quotes\"\" 'x'\","
          "3,feathered,1\n"
          "Mr. O'Neil #2,b.png,A name that needs encoding,2,none,2\n"
          "third,a.png,\"Two\nlines\",4,sharp,3\n", fp);
    assert_int_equal(fclose(fp), 0);
    char err[2048];
    assert_int_equal(tu_run(err, sizeof err, "batch", manifest, "-o", out,
                            NULL), 0);

    char *harness = tu_path(dir, "harness.html");
    fp = fopen(harness, "w");
    assert_non_null(fp);
    fprintf(fp, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>harness</title></head><body>\n<div id=\"out\"></div>\n"
            "<iframe id=\"f\" src=\"file://%s/index.html\" width=\"1200\" "
            "height=\"900\"></iframe>\n<script>\n"
            "var EXPECT_CARDS = 3, EXPECT_SESSIONS = 3, EXPECT_CAPTION = '",
            out);
    put_js_string(fp, caption);
    fputs("';\n", fp);
    for (const char *const *l = harness_js; *l; l++)
        fputs(*l, fp);
    fputs("</script>\n</body></html>\n", fp);
    assert_int_equal(fclose(fp), 0);

    char *profile = tu_path(dir, "profile");
    char *dom = tu_path(dir, "dom.html"), *log = tu_path(dir, "chromium.log");
    char url[600];
    snprintf(url, sizeof url, "file://%s", harness);
    int rc = run_chromium(profile, url, dom, log);
    char *d = read_text(dom), *l = read_text(log);
    if (rc != 0)
        fail_msg("chromium exited with %d: %s", rc, l);
    /* the harness's verdicts */
    int pass = 0;
    for (const char *p = d; (p = strstr(p, "<p>PASS ")); p++)
        pass++;
    const char *failed = strstr(d, "<p>FAIL ");
    if (failed) {
        const char *end = strstr(failed, "</p>");
        fail_msg("%.*s", end ? (int)(end - failed) : 200, failed);
    }
    if (!strstr(d, "<p>PASS DONE</p>"))
        fail_msg("the harness did not finish (%d checks passed)", pass);
    assert_true(pass >= 25);
    /* nothing on the page's console, no uncaught exception */
    for (const char *line = l; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 1000 ? n : 1000), line);
        if (strstr(buf, "CONSOLE") || strstr(buf, "Uncaught"))
            fail_msg("console: %s", buf);
        line += n + (end != NULL);
    }
    printf("chromium: %d checks passed\n", pass);
    free(d);
    free(l);
    tu_rmdir(dir);
    free(dom);
    free(log);
    free(profile);
    free(harness);
    free(manifest);
    free(out);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gallery_in_chromium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
