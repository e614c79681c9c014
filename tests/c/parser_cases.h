/* Reads tests/fixtures/parser-cases.json (shared with tests/js/parser.test.js) into memory.
 * A deliberately small JSON reader: arrays, objects, strings (all escapes, \u with surrogate
 * pairs, to UTF-8 bytes with explicit lengths, so "\u0000" works), and non-negative integers. */
#ifndef LIFELINE_TEST_PARSER_CASES_H
#define LIFELINE_TEST_PARSER_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *ptr;
  size_t len;
} pc_str;

typedef struct {
  pc_str name, input, last_id;
  int has_last_id;
  pc_str expect; /* entries joined, each followed by '\n' */
  size_t max_line, max_event;
} pc_case;

typedef struct {
  const char *s;
  int bad;
} pc_reader;

static void pc_ws(pc_reader *r) {
  while (*r->s == ' ' || *r->s == '\n' || *r->s == '\r' || *r->s == '\t') r->s++;
}

static void pc_put(pc_str *o, unsigned long c) {
  char *p = o->ptr + o->len;
  if (c < 0x80) {
    *p = (char)c;
    o->len += 1;
  } else if (c < 0x800) {
    p[0] = (char)(0xC0 | (c >> 6));
    p[1] = (char)(0x80 | (c & 0x3F));
    o->len += 2;
  } else if (c < 0x10000) {
    p[0] = (char)(0xE0 | (c >> 12));
    p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    p[2] = (char)(0x80 | (c & 0x3F));
    o->len += 3;
  } else {
    p[0] = (char)(0xF0 | (c >> 18));
    p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    p[3] = (char)(0x80 | (c & 0x3F));
    o->len += 4;
  }
}

static unsigned long pc_hex4(pc_reader *r) {
  char buf[5] = {0};
  memcpy(buf, r->s, 4);
  r->s += 4;
  return strtoul(buf, NULL, 16);
}

static pc_str pc_string(pc_reader *r) {
  pc_str o = {NULL, 0};
  pc_ws(r);
  if (*r->s != '"') {
    r->bad = 1;
    return o;
  }
  r->s++;
  o.ptr = malloc(strlen(r->s) * 2 + 1); /* an escape never expands past its source bytes */
  while (*r->s && *r->s != '"') {
    if (*r->s != '\\') {
      o.ptr[o.len++] = *r->s++;
      continue;
    }
    r->s++;
    char e = *r->s++;
    unsigned long c = 0;
    switch (e) {
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u':
        c = pc_hex4(r);
        if (c >= 0xD800 && c < 0xDC00 && r->s[0] == '\\' && r->s[1] == 'u') {
          r->s += 2;
          c = 0x10000 + ((c - 0xD800) << 10) + (pc_hex4(r) - 0xDC00);
        }
        break;
      default: c = (unsigned char)e;
    }
    pc_put(&o, c);
  }
  if (*r->s == '"') r->s++;
  o.ptr[o.len] = 0;
  return o;
}

static int pc_read_case(pc_reader *r, pc_case *c) {
  memset(c, 0, sizeof *c);
  c->expect.ptr = calloc(1, 1 << 16);
  pc_ws(r);
  if (*r->s++ != '{') return r->bad = 1, 0;
  for (;;) {
    pc_ws(r);
    if (*r->s == '}') { r->s++; break; }
    if (*r->s == ',') { r->s++; continue; }
    pc_str key = pc_string(r);
    pc_ws(r);
    r->s++; /* ':' */
    pc_ws(r);
    if (!key.ptr) return r->bad = 1, 0;
    if (!strcmp(key.ptr, "name")) c->name = pc_string(r);
    else if (!strcmp(key.ptr, "input")) c->input = pc_string(r);
    else if (!strcmp(key.ptr, "lastId")) c->last_id = pc_string(r), c->has_last_id = 1;
    else if (!strcmp(key.ptr, "maxLine")) c->max_line = strtoul(r->s, (char **)&r->s, 10);
    else if (!strcmp(key.ptr, "maxEvent")) c->max_event = strtoul(r->s, (char **)&r->s, 10);
    else if (!strcmp(key.ptr, "expect")) {
      r->s++; /* '[' */
      for (;;) {
        pc_ws(r);
        if (*r->s == ']') { r->s++; break; }
        if (*r->s == ',') { r->s++; continue; }
        pc_str e = pc_string(r);
        if (r->bad) return 0;
        memcpy(c->expect.ptr + c->expect.len, e.ptr, e.len);
        c->expect.len += e.len;
        c->expect.ptr[c->expect.len++] = '\n';
        free(e.ptr);
      }
    } else r->bad = 1;
    free(key.ptr);
    if (r->bad) return 0;
  }
  return 1;
}

/* Loads every case; returns the count (0 on failure). */
static size_t pc_load(const char *path, pc_case **out) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  pc_reader r = {text, 0};
  pc_case *cases = calloc(1024, sizeof *cases);
  size_t count = 0;
  pc_ws(&r);
  if (*r.s++ != '[') return 0;
  for (;;) {
    pc_ws(&r);
    if (*r.s == ']' || !*r.s) break;
    if (*r.s == ',') { r.s++; continue; }
    if (count == 1024 || !pc_read_case(&r, &cases[count])) return 0;
    count++;
  }
  *out = cases;
  return count;
}

static void pc_free(pc_case *cases, size_t count) {
  for (size_t i = 0; i < count; i++) {
    free(cases[i].name.ptr);
    free(cases[i].input.ptr);
    free(cases[i].last_id.ptr);
    free(cases[i].expect.ptr);
  }
  free(cases);
}

#endif
