/*
 * format.c: the printf engine shared by every printf-family function.
 * Supports flags "-+ #0", width and precision (also '*'), length
 * modifiers hh h l ll z j t, and conversions d i u o x X c s p %.
 * There is no floating point: Pebbles' libc has none either.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "internal.h"

struct spec {
    int left, plus, space, alt, zero;
    int width;
    int prec;       /* -1: none given */
    int size;       /* 0 int, 1 long, 2 long long (also z j t on i386: 0) */
    int hsize;      /* 1 short, 2 char */
    char conv;
};

struct out {
    _pb_emit_fn emit;
    void *ctx;
    int total;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n == 0)
        return;
    o->emit(o->ctx, s, n);
    o->total += (int)n;
}

static void pad(struct out *o, char c, int n)
{
    char buf[16];
    int k;

    memset(buf, c, sizeof(buf));
    for (; n > 0; n -= k) {
        k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
        put(o, buf, (size_t)k);
    }
}

static const char *parse_flags(const char *f, struct spec *sp)
{
    for (;; f++) {
        switch (*f) {
        case '-': sp->left = 1; break;
        case '+': sp->plus = 1; break;
        case ' ': sp->space = 1; break;
        case '#': sp->alt = 1; break;
        case '0': sp->zero = 1; break;
        default: return f;
        }
    }
}

static const char *parse_num(const char *f, int *val, va_list *ap)
{
    if (*f == '*') {
        *val = va_arg(*ap, int);
        return f + 1;
    }
    *val = 0;
    while (*f >= '0' && *f <= '9')
        *val = *val * 10 + (*f++ - '0');
    return f;
}

static const char *parse_length(const char *f, struct spec *sp)
{
    if (f[0] == 'h') {
        sp->hsize = (f[1] == 'h') ? 2 : 1;
        return f + sp->hsize;
    }
    if (f[0] == 'l') {
        sp->size = (f[1] == 'l') ? 2 : 1;
        return f + sp->size;
    }
    if (f[0] == 'L' || f[0] == 'q') {
        sp->size = 2;
        return f + 1;
    }
    if (f[0] == 'z' || f[0] == 'j' || f[0] == 't') {
        sp->size = (f[0] == 'j') ? 2 : 0;  /* intmax_t is 64-bit; size_t 32 */
        return f + 1;
    }
    return f;
}

/* Parses one conversion after '%'; returns the character after it. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    memset(sp, 0, sizeof(*sp));
    sp->prec = -1;
    f = parse_flags(f, sp);
    f = parse_num(f, &sp->width, ap);
    if (sp->width < 0) {        /* a negative '*' width means left-justify */
        sp->left = 1;
        sp->width = -sp->width;
    }
    if (*f == '.') {
        f = parse_num(f + 1, &sp->prec, ap);
        if (sp->prec < 0)
            sp->prec = -1;
    }
    f = parse_length(f, sp);
    sp->conv = *f;
    return *f ? f + 1 : f;
}

/* Writes digits of v in base into the end of buf; returns the start. */
static char *digits(char *end, unsigned long long v, unsigned base, int upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;

    if (base == 10 && (v >> 32) == 0) {   /* common case: no 64-bit division */
        unsigned int w = (unsigned int)v;
        do { *--p = set[w % 10]; w /= 10; } while (w);
        return p;
    }
    do { *--p = set[v % base]; v /= base; } while (v);
    return p;
}

/* Emits a formatted integer: sign/prefix, zero padding, digits, width. */
static void emit_number(struct out *o, const struct spec *sp,
                        unsigned long long mag, int negative, unsigned base)
{
    char buf[24];
    char *end = buf + sizeof(buf);
    char *s = end;
    const char *prefix = "";
    int len, zeros = 0, plen, fill;

    if (!(mag == 0 && sp->prec == 0))
        s = digits(end, mag, base, sp->conv == 'X');
    len = (int)(end - s);
    if (negative) prefix = "-";
    else if (sp->plus && (sp->conv == 'd' || sp->conv == 'i')) prefix = "+";
    else if (sp->space && (sp->conv == 'd' || sp->conv == 'i')) prefix = " ";
    if (sp->conv == 'p' || (sp->alt && base == 16 && mag != 0))
        prefix = (sp->conv == 'X') ? "0X" : "0x";
    if (sp->alt && base == 8 && (len == 0 || *s != '0'))
        zeros = 1;
    if (sp->prec > len)
        zeros = sp->prec - len;
    plen = (int)strlen(prefix);
    fill = sp->width - plen - zeros - len;
    if (sp->zero && !sp->left && sp->prec < 0 && fill > 0) {
        zeros += fill;
        fill = 0;
    }
    if (!sp->left) pad(o, ' ', fill);
    put(o, prefix, (size_t)plen);
    pad(o, '0', zeros);
    put(o, s, (size_t)len);
    if (sp->left) pad(o, ' ', fill);
}

static void emit_text(struct out *o, const struct spec *sp, const char *s, int len)
{
    int fill = sp->width - len;

    if (!sp->left) pad(o, ' ', fill);
    put(o, s, (size_t)len);
    if (sp->left) pad(o, ' ', fill);
}

static void conv_signed(struct out *o, const struct spec *sp, va_list *ap)
{
    long long v;

    if (sp->size == 2) v = va_arg(*ap, long long);
    else if (sp->size == 1) v = va_arg(*ap, long);
    else v = va_arg(*ap, int);
    if (sp->hsize == 1) v = (short)v;
    if (sp->hsize == 2) v = (signed char)v;
    /* negate as unsigned so LLONG_MIN does not overflow */
    emit_number(o, sp, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
                v < 0, 10);
}

static void conv_unsigned(struct out *o, const struct spec *sp, va_list *ap,
                          unsigned base)
{
    unsigned long long v;

    if (sp->size == 2) v = va_arg(*ap, unsigned long long);
    else if (sp->size == 1) v = va_arg(*ap, unsigned long);
    else v = va_arg(*ap, unsigned int);
    if (sp->hsize == 1) v = (unsigned short)v;
    if (sp->hsize == 2) v = (unsigned char)v;
    emit_number(o, sp, v, 0, base);
}

static void conv_string(struct out *o, const struct spec *sp, va_list *ap)
{
    const char *s = va_arg(*ap, const char *);
    size_t len;

    if (s == NULL)
        s = "(null)";
    len = (sp->prec >= 0) ? strnlen(s, (size_t)sp->prec) : strlen(s);
    emit_text(o, sp, s, (int)len);
}

static void convert(struct out *o, const struct spec *sp, va_list *ap,
                    const char *start, const char *end)
{
    char c;

    switch (sp->conv) {
    case 'd': case 'i': conv_signed(o, sp, ap); break;
    case 'u': conv_unsigned(o, sp, ap, 10); break;
    case 'o': conv_unsigned(o, sp, ap, 8); break;
    case 'x': case 'X': conv_unsigned(o, sp, ap, 16); break;
    case 'p':
        emit_number(o, sp, (unsigned long)va_arg(*ap, void *), 0, 16);
        break;
    case 'c':
        c = (char)va_arg(*ap, int);
        emit_text(o, sp, &c, 1);
        break;
    case 's': conv_string(o, sp, ap); break;
    case '%': put(o, "%", 1); break;
    default:    /* unknown conversion: show it as written */
        put(o, start, (size_t)(end - start));
        break;
    }
}

int _pb_format(_pb_emit_fn emit, void *ctx, const char *format, va_list args)
{
    struct out o = { emit, ctx, 0 };
    struct spec sp;
    const char *f = format, *lit, *start;
    va_list ap;

    va_copy(ap, args);
    while (*f) {
        for (lit = f; *f && *f != '%'; f++)
            ;
        put(&o, lit, (size_t)(f - lit));
        if (!*f)
            break;
        start = f;
        f = parse_spec(f + 1, &sp, &ap);
        convert(&o, &sp, &ap, start, f);
    }
    va_end(ap);
    return o.total;
}
