/* cat_pack.c - packs: the packages of apt repositories, known by their
 * metadata, their content fetched on demand (cat_remote.c).
 *
 * A pack is two immutable files under DIR/packs/sha256/, each named by its
 * digest: the table, which the catalog's index names (so the index's
 * digest, the catalog's identity, covers it), and the metadata records,
 * which the table names. The table holds what the resolver reads, in
 * fixed-size entries in the order a catalog set wants them, every string
 * once: opening a catalog of Debian's 63,000 packages maps one file,
 * hashes it and checks its bounds, with nothing to parse or sort. The rest
 * of a package's metadata is a record read, and checked against the digest
 * its entry holds, when cat_prim_load needs it. All integers are
 * little-endian.
 *
 *   table:   magic "\x7f" "CPOLPK\n", u32 format (PACK_FORMAT), u32 nentries,
 *            u32 nprovs, u32 nsrcs, u32 strsize, u32 0,
 *            the records file's SHA256 (32 bytes), u64 its size
 *            nsrcs    x u32           string: a repository's URI
 *            nentries x ENTRY         sorted: name, version highest first
 *                                     (ver_cmp), version bytewise, architecture
 *            nprovs   x u32[3]        virtual name, version or 0, entry;
 *                                     sorted by virtual name, then entry
 *            strsize bytes            NUL-terminated strings; offset 0 is ""
 *   ENTRY:   u32 string offsets of name, version, architecture ("" for
 *            all), Depends (Pre-Depends first), Provides, Conflicts then
 *            Breaks; u32 src, rank, flags (bits 0-3 priority, 4 essential,
 *            5 important), installed size in KiB (low, high), record
 *            offset, record length; the record's SHA256 (32 bytes)
 *   records: per entry, the NUL-terminated fields enum rec names, in its
 *            order (its metadata digest is the SHA256 of these bytes)
 *
 * Loading checks the table's digest, its sizes, every offset and the order
 * of the entries; the entries' contents were checked when it was written.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cat.h"
#include "cat_int.h"
#include "rel.h"
#include "ver.h"

#define PACK_MAGIC                                                                                           \
	"\x7f"                                                                                               \
	"CPOLPK\n"
#define PACK_FORMAT 1
#define HDR_SIZE    72
#define MAX_RECORD  (1u << 20)

enum word {
	E_NAME,
	E_VERSION,
	E_ARCH,
	E_DEPENDS,
	E_PROVIDES,
	E_CONFLICTS,
	NSTR = E_CONFLICTS + 1,
	E_SRC = NSTR,
	E_RANK,
	E_FLAGS,
	E_ISIZE_LO,
	E_ISIZE_HI,
	E_ROFF,
	E_RLEN,
	NWORDS
};
#define ENTRY_SIZE (NWORDS * 4 + 32)
#define PROV_SIZE  12

/* The fields of a record, in their order. */
enum rec {
	R_PRE_DEPENDS,
	R_CONFLICTS,
	R_BREAKS,
	R_RECOMMENDS,
	R_SUGGESTS,
	R_ENHANCES,
	R_REPLACES,
	R_SECTION,
	R_SOURCE,
	R_FILENAME,
	R_MULTI_ARCH,
	R_PRIORITY,
	R_SHA256,
	R_DEB_SIZE,
	R_SCAN,
	NREC
};

struct cat_pack {
	unsigned char *data; /* the table, mapped */
	size_t len;
	uint32_t nent, nprov, nsrc, strsize;
	uint64_t recsize;
	const unsigned char *srcs, *ents, *provs;
	const char *strs;
	char *path, *recpath;
	char *marker, *stamp; /* PATH.hashed: the stamp of the table when last hashed */
	int recfd;	      /* the records file, opened on first use */
	char *rec;	      /* the last record read */
	size_t reccap;	      /* of rec */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	sb_add(sb, b, 4);
}

static void hex32(const unsigned char *b, char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[64] = '\0';
}

static int unhex32(const char *s, unsigned char out[32])
{
	static const char digits[] = "0123456789abcdef";

	if (strlen(s) != 64 || strspn(s, digits) != 64)
		return -1;
	for (int i = 0; i < 32; i++)
		out[i] = (unsigned char)((strchr(digits, s[2 * i]) - digits) << 4 |
					 (strchr(digits, s[2 * i + 1]) - digits));
	return 0;
}

static void sha256_raw(const void *data, size_t len, unsigned char out[32])
{
	char hex[65];

	sha256_hex(data, len, hex);
	unhex32(hex, out);
}

uint8_t pack_priority(const char *s)
{
	static const char *const words[] = {"required", "important", "standard", "optional", "extra"};

	if (!*s)
		return PRIO_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return (uint8_t)(i + 1);
	return PRIO_EXTRA; /* as apt reads a word it does not know */
}

/* ---- strings of an import ------------------------------------------------------- */

#define SA_CHUNK (1u << 20)

const char *sa_dup(struct sarena *a, const char *s, size_t n)
{
	char *p;

	if (!n)
		return "";
	if (n + 1 > a->left) {
		size_t sz = n + 1 > SA_CHUNK ? n + 1 : SA_CHUNK;
		xgrow((void **)&a->chunks, &a->cap, a->n + 1, sizeof(*a->chunks));
		a->cur = a->chunks[a->n++] = xmalloc(sz);
		a->left = sz;
	}
	p = a->cur;
	memcpy(p, s, n);
	p[n] = '\0';
	a->cur += n + 1;
	a->left -= n + 1;
	return p;
}

void sa_release(struct sarena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->chunks[i]);
	free(a->chunks);
	memset(a, 0, sizeof(*a));
}

void pack_keep(struct sarena *a, struct pack_pkg *k)
{
	const char **f[] = {&k->name,	    &k->version,   &k->arch,	&k->depends,	&k->pre_depends,
			    &k->provides,   &k->conflicts, &k->breaks,	&k->recommends, &k->suggests,
			    &k->enhances,   &k->replaces,  &k->section, &k->source,	&k->filename,
			    &k->multi_arch, &k->priority,  &k->scan};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		*f[i] = sa_dup(a, *f[i], strlen(*f[i]));
}

/* ---- writing ------------------------------------------------------------------- */

/* Strings stored once: open addressing over offsets into area. */
struct interner {
	struct strbuf area;
	uint32_t *slots; /* offset, 0: empty */
	size_t nslots, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void intern_grow(struct interner *in)
{
	size_t old = in->nslots;
	uint32_t *slots = in->slots;

	in->nslots = old ? old * 2 : 1 << 16;
	in->slots = xcalloc(in->nslots, sizeof(*in->slots));
	for (size_t i = 0; i < old; i++) {
		size_t j;
		if (!slots[i])
			continue;
		j = (size_t)fnv(in->area.buf + slots[i]) & (in->nslots - 1);
		while (in->slots[j])
			j = (j + 1) & (in->nslots - 1);
		in->slots[j] = slots[i];
	}
	free(slots);
}

static uint32_t intern(struct interner *in, const char *s)
{
	size_t j;

	if (!s || !*s)
		return 0;
	if ((in->n + 1) * 2 > in->nslots)
		intern_grow(in);
	j = (size_t)fnv(s) & (in->nslots - 1);
	for (; in->slots[j]; j = (j + 1) & (in->nslots - 1))
		if (!strcmp(in->area.buf + in->slots[j], s))
			return in->slots[j];
	in->slots[j] = (uint32_t)in->area.len;
	in->n++;
	sb_add(&in->area, s, strlen(s) + 1);
	return in->slots[j];
}

static int cmp_key(const char *n1, const char *v1, const char *a1, const char *n2, const char *v2,
		   const char *a2)
{
	int c = n1 == n2 ? 0 : strcmp(n1, n2);

	if (c)
		return c;
	if ((c = ver_cmp(v2, v1)))
		return c;
	if ((c = strcmp(v1, v2)))
		return c;
	return strcmp(a1, a2);
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct pack_pkg *x = a, *y = b;
	int c = cmp_key(x->name, x->version, x->arch, y->name, y->version, y->arch);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Drop repeats of one name, version and architecture; two .deb digests for
 * one is an error. Returns the number kept, or -1. */
static ssize_t dedupe(struct pack_pkg *p, size_t n, struct diag *d)
{
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct pack_pkg *last = k ? &p[k - 1] : NULL;
		if (last && !strcmp(last->name, p[i].name) && !ver_cmp(last->version, p[i].version) &&
		    !strcmp(last->arch, p[i].arch)) {
			if (strcmp(last->sha256, p[i].sha256)) {
				diag_error(d, LOC_NONE, CAT_RULE,
					   "'%s' version '%s' (%s) has two .deb digests, sha256:%s and "
					   "sha256:%s: a version is never rebuilt with other content",
					   p[i].name, p[i].version, *p[i].arch ? p[i].arch : "all",
					   last->sha256, p[i].sha256);
				rc = -1;
			}
			last->src = p[i].src;
			continue;
		}
		p[k++] = p[i];
	}
	return rc < 0 ? -1 : (ssize_t)k;
}

static void put_record(struct strbuf *recs, const struct pack_pkg *p)
{
	const char *f[NREC] = {p->pre_depends, p->conflicts, p->breaks,	 p->recommends, p->suggests,
			       p->enhances,    p->replaces,  p->section, p->source,	p->filename,
			       p->multi_arch,  p->priority,  p->sha256,	 NULL,		p->scan};
	char size[24];

	snprintf(size, sizeof(size), "%llu", (unsigned long long)p->deb_size);
	f[R_DEB_SIZE] = size;
	for (int i = 0; i < NREC; i++)
		sb_add(recs, f[i] ? f[i] : "", strlen(f[i] ? f[i] : "") + 1);
}

static void put_entry(struct strbuf *sb, struct interner *in, struct strbuf *recs, const struct pack_pkg *p)
{
	unsigned char md[32];
	size_t off = recs->len;
	char *all = NULL;
	const char *conf = p->conflicts;

	if (*p->conflicts && *p->breaks)
		conf = all = xasprintf("%s, %s", p->conflicts, p->breaks);
	else if (*p->breaks)
		conf = p->breaks;
	put32(sb, intern(in, p->name));
	put32(sb, intern(in, p->version));
	put32(sb, intern(in, p->arch));
	put32(sb, intern(in, p->depends));
	put32(sb, intern(in, p->provides));
	put32(sb, intern(in, conf));
	free(all);
	put32(sb, p->src);
	put32(sb, p->rank);
	put32(sb, (uint32_t)(pack_priority(p->priority) & 15) | (p->essential ? 16u : 0) |
			  (p->important ? 32u : 0));
	put32(sb, (uint32_t)p->installed_kib);
	put32(sb, (uint32_t)(p->installed_kib >> 32));
	put_record(recs, p);
	put32(sb, (uint32_t)off);
	put32(sb, (uint32_t)(recs->len - off));
	sha256_raw(recs->buf + off, recs->len - off, md);
	sb_add(sb, md, 32);
}

struct prov {
	uint32_t virt, version, entry;
	const char *vname;
};

static int cmp_prov_w(const void *a, const void *b)
{
	const struct prov *x = a, *y = b;
	int c = strcmp(x->vname, y->vname);

	return c ? c : (x->entry > y->entry) - (x->entry < y->entry);
}

/* The provides of every entry, sorted. */
static struct prov *collect_provs(const struct pack_pkg *p, size_t n, struct interner *in, size_t *nprov)
{
	struct prov *v = NULL;
	size_t cap = 0;

	*nprov = 0;
	for (size_t i = 0; i < n; i++) {
		struct rel_list l;
		const char *why;
		if (!*p[i].provides || rel_parse(p[i].provides, &l, &why) < 0)
			continue; /* checked by the importer */
		for (size_t j = 0; j < l.n; j++) {
			const struct rel_atom *a = &l.alts[j].atoms[0];
			xgrow((void **)&v, &cap, *nprov + 1, sizeof(*v));
			v[*nprov] =
				(struct prov){intern(in, a->name), intern(in, a->version), (uint32_t)i, NULL};
			(*nprov)++;
		}
		rel_list_release(&l);
	}
	for (size_t i = 0; i < *nprov; i++)
		v[i].vname = in->area.buf + v[i].virt;
	if (*nprov)
		qsort(v, *nprov, sizeof(*v), cmp_prov_w);
	return v;
}

static int store(const char *dir, const struct strbuf *sb, char hex[65], struct diag *d)
{
	char *pdir = path_join(dir, "packs/sha256"), *path;
	struct stat st;
	int rc = 0;

	sha256_hex(sb->buf, sb->len, hex);
	path = path_join(pdir, hex);
	if (stat(path, &st) == 0) {
		/* the same bytes are there */
	} else if (mkdir_p(pdir, 0755) < 0 || write_file_atomic(path, sb->buf, sb->len, 0644) < 0) {
		diag_file_error(d, path, 0, 0, CAT_RULE, "cannot write pack: %s", strerror(errno));
		rc = -1;
	}
	free(path);
	free(pdir);
	return rc;
}

/* The table of k packages whose records were stored as rhex. */
static void put_table(struct strbuf *sb, const struct strbuf *ents, struct interner *in, size_t k,
		      const struct prov *provs, size_t nprov, const char *const *srcs, size_t nsrcs,
		      const char *rhex, uint64_t recsize)
{
	unsigned char md[32];

	for (size_t i = 0; i < nsrcs; i++)
		intern(in, srcs[i]);
	sb_add(sb, PACK_MAGIC, 8);
	put32(sb, PACK_FORMAT);
	put32(sb, (uint32_t)k);
	put32(sb, (uint32_t)nprov);
	put32(sb, (uint32_t)nsrcs);
	put32(sb, (uint32_t)in->area.len);
	put32(sb, 0);
	unhex32(rhex, md);
	sb_add(sb, md, 32);
	put32(sb, (uint32_t)recsize);
	put32(sb, (uint32_t)(recsize >> 32));
	for (size_t i = 0; i < nsrcs; i++)
		put32(sb, intern(in, srcs[i]));
	sb_add(sb, ents->buf, ents->len);
	for (size_t i = 0; i < nprov; i++) {
		put32(sb, provs[i].virt);
		put32(sb, provs[i].version);
		put32(sb, provs[i].entry);
	}
	sb_add(sb, in->area.buf, in->area.len);
}

int pack_write(const char *dir, struct pack_pkg *pkgs, size_t n, const char *const *srcs, size_t nsrcs,
	       char digest[72], struct diag *d)
{
	struct interner in = {STRBUF_INIT, NULL, 0, 0};
	struct strbuf sb = STRBUF_INIT, ents = STRBUF_INIT, recs = STRBUF_INIT;
	struct prov *provs = NULL;
	char rhex[65], thex[65];
	size_t nprov = 0;
	ssize_t k;
	int rc = -1;

	if (n)
		qsort(pkgs, n, sizeof(*pkgs), cmp_pkg);
	if ((k = dedupe(pkgs, n, d)) < 0)
		return -1;
	sb_addc(&in.area, '\0');
	for (size_t i = 0; i < (size_t)k; i++)
		put_entry(&ents, &in, &recs, &pkgs[i]);
	if (recs.len > UINT32_MAX || in.area.len > UINT32_MAX / 2) { /* offsets are u32 */
		diag_error(d, LOC_NONE, CAT_RULE, "too many packages for one pack");
		goto out;
	}
	provs = collect_provs(pkgs, (size_t)k, &in, &nprov);
	if (store(dir, &recs, rhex, d) < 0)
		goto out;
	put_table(&sb, &ents, &in, (size_t)k, provs, nprov, srcs, nsrcs, rhex, recs.len);
	if (store(dir, &sb, thex, d) < 0)
		goto out;
	snprintf(digest, 72, "sha256:%s", thex);
	rc = 0;
out:
	free(provs);
	free(in.slots);
	sb_release(&in.area);
	sb_release(&ents);
	sb_release(&recs);
	sb_release(&sb);
	return rc;
}

/* ---- reading --------------------------------------------------------------------- */

static const unsigned char *ent(const struct cat_pack *pk, size_t i)
{
	return pk->ents + i * ENTRY_SIZE;
}

static uint32_t word(const struct cat_pack *pk, size_t i, enum word w)
{
	return le32(ent(pk, i) + 4 * w);
}

static const char *str(const struct cat_pack *pk, size_t i, enum word w)
{
	return pk->strs + word(pk, i, w);
}

/* Every offset in bounds; with order, the entries in order too (checked
 * when the table is hashed: a table that passed once is the same bytes). */
static const char *check_entries(const struct cat_pack *pk, bool order)
{
	for (size_t i = 0; i < pk->nent; i++) {
		for (int w = 0; w < NSTR; w++)
			if (word(pk, i, (enum word)w) >= pk->strsize)
				return "a string offset out of bounds";
		if (word(pk, i, E_SRC) >= pk->nsrc)
			return "a repository out of bounds";
		if ((uint64_t)word(pk, i, E_ROFF) + word(pk, i, E_RLEN) > pk->recsize ||
		    word(pk, i, E_RLEN) > MAX_RECORD)
			return "a record out of bounds";
		if (order && i &&
		    cmp_key(str(pk, i - 1, E_NAME), str(pk, i - 1, E_VERSION), str(pk, i - 1, E_ARCH),
			    str(pk, i, E_NAME), str(pk, i, E_VERSION), str(pk, i, E_ARCH)) >= 0)
			return "entries out of order";
	}
	for (size_t i = 0; i < pk->nprov; i++) {
		const unsigned char *p = pk->provs + i * PROV_SIZE;
		if (le32(p) >= pk->strsize || le32(p + 4) >= pk->strsize || le32(p + 8) >= pk->nent)
			return "a provider out of bounds";
	}
	for (size_t i = 0; i < pk->nsrc; i++)
		if (le32(pk->srcs + 4 * i) >= pk->strsize)
			return "a repository out of bounds";
	return NULL;
}

/* Lay the sections of the table out; NULL, or what is wrong. */
static const char *layout(struct cat_pack *pk, bool order)
{
	uint64_t need;

	if (pk->len < HDR_SIZE || memcmp(pk->data, PACK_MAGIC, 8))
		return "not a pack";
	if (le32(pk->data + 8) != PACK_FORMAT)
		return "unsupported pack format";
	pk->nent = le32(pk->data + 12);
	pk->nprov = le32(pk->data + 16);
	pk->nsrc = le32(pk->data + 20);
	pk->strsize = le32(pk->data + 24);
	pk->recsize = le32(pk->data + 64) | (uint64_t)le32(pk->data + 68) << 32;
	need = HDR_SIZE + (uint64_t)pk->nsrc * 4 + (uint64_t)pk->nent * ENTRY_SIZE +
	       (uint64_t)pk->nprov * PROV_SIZE + pk->strsize;
	if (need != pk->len || !pk->strsize || pk->data[pk->len - 1] != '\0' ||
	    pk->data[pk->len - pk->strsize])
		return "sizes do not match the file";
	pk->srcs = pk->data + HDR_SIZE;
	pk->ents = pk->srcs + (size_t)pk->nsrc * 4;
	pk->provs = pk->ents + (size_t)pk->nent * ENTRY_SIZE;
	pk->strs = (const char *)pk->provs + (size_t)pk->nprov * PROV_SIZE;
	return check_entries(pk, order);
}

/* The stat stamp of the table as its marker records it: a table whose
 * stamp (ctime included, which no one can set back) still matches the one
 * recorded when it was last hashed holds the bytes that were hashed. */
static char *stamp(const struct stat *st)
{
	return xasprintf("%llu:%llu:%llu:%lld.%09ld:%lld.%09ld\n", (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
			 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
			 st->st_ctim.tv_nsec);
}

/* Map the table (read-only, faulted in at once); *hashed when its marker
 * says it was hashed as it is. */
static int map_table(struct cat_pack *pk, bool *hashed)
{
	struct stat st;
	char *marker = NULL;
	size_t mlen;
	void *p;
	int fd = open(pk->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < HDR_SIZE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	pk->stamp = stamp(&st);
	*hashed = read_file(pk->marker, &marker, &mlen) == 0 && !strcmp(marker, pk->stamp);
	free(marker);
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	pk->data = p;
	pk->len = (size_t)st.st_size;
	return 0;
}

struct cat_pack *pack_load(const char *dir, const char *digest, struct diag *d)
{
	struct cat_pack *pk = xcalloc(1, sizeof(*pk));
	char hex[65];
	const char *why;
	bool hashed;

	pk->recfd = -1;
	pk->path = xasprintf("%s/packs/sha256/%s", dir, digest + 7);
	pk->marker = xasprintf("%s.hashed", pk->path);
	if (map_table(pk, &hashed) < 0) {
		diag_file_error(d, pk->path, 0, 0, CAT_RULE, "cannot read pack: %s",
				errno == EINVAL ? "not a pack" : strerror(errno));
		goto fail;
	}
	if (!hashed) {
		sha256_hex(pk->data, pk->len, hex);
		if (strcmp(hex, digest + 7)) {
			diag_file_error(d, pk->path, 0, 0, CAT_RULE,
					"pack digest sha256:%s does not match the index (%s)", hex, digest);
			goto fail;
		}
	}
	if ((why = layout(pk, !hashed))) {
		diag_file_error(d, pk->path, 0, 0, CAT_RULE, "malformed pack: %s", why);
		goto fail;
	}
	if (!hashed) /* best effort: a catalog may be read-only */
		write_file_atomic(pk->marker, pk->stamp, strlen(pk->stamp), 0644);
	hex32(pk->data + 32, hex);
	pk->recpath = xasprintf("%s/packs/sha256/%s", dir, hex);
	return pk;
fail:
	pack_free(pk);
	return NULL;
}

void pack_free(struct cat_pack *pk)
{
	if (!pk)
		return;
	if (pk->data)
		munmap(pk->data, pk->len);
	if (pk->recfd >= 0)
		close(pk->recfd);
	free(pk->rec);
	free(pk->path);
	free(pk->recpath);
	free(pk->marker);
	free(pk->stamp);
	free(pk);
}

size_t pack_count(const struct cat_pack *pk)
{
	return pk->nent;
}

size_t pack_nsrcs(const struct cat_pack *pk)
{
	return pk->nsrc;
}

const char *pack_src(const struct cat_pack *pk, size_t i)
{
	return pk->strs + le32(pk->srcs + 4 * i);
}

const char *pack_path(const struct cat_pack *pk)
{
	return pk->path;
}

/* Read and check the record of entry i into pk->rec; f[] its fields. */
static int read_record(struct cat_pack *pk, size_t i, const char *f[NREC], struct diag *d)
{
	uint32_t off = word(pk, i, E_ROFF), len = word(pk, i, E_RLEN);
	unsigned char md[32];
	size_t k = 0;
	ssize_t n;

	if (pk->recfd < 0 && (pk->recfd = open(pk->recpath, O_RDONLY | O_CLOEXEC)) < 0) {
		diag_file_error(d, pk->recpath, 0, 0, CAT_RULE, "cannot read pack records: %s",
				strerror(errno));
		return -1;
	}
	xgrow((void **)&pk->rec, &pk->reccap, (size_t)len + 1, 1);
	while ((n = pread(pk->recfd, pk->rec, len, off)) < 0 && errno == EINTR)
		;
	sha256_raw(pk->rec, n > 0 ? (size_t)n : 0, md);
	if (n != (ssize_t)len || memcmp(md, ent(pk, i) + NWORDS * 4, 32)) {
		diag_file_error(d, pk->recpath, 0, 0, CAT_RULE,
				"the record of '%s' version '%s' does not match its digest",
				str(pk, i, E_NAME), str(pk, i, E_VERSION));
		return -1;
	}
	for (const char *p = pk->rec; p < pk->rec + len && k < NREC; p += strlen(p) + 1)
		f[k++] = p;
	if (k != NREC || !len || pk->rec[len - 1]) {
		diag_file_error(d, pk->recpath, 0, 0, CAT_RULE, "malformed record of '%s'",
				str(pk, i, E_NAME));
		return -1;
	}
	return 0;
}

int pack_get(struct cat_pack *pk, size_t i, struct pack_pkg *out, struct diag *d)
{
	const char *f[NREC];
	uint32_t flags = word(pk, i, E_FLAGS);

	if (read_record(pk, i, f, d) < 0)
		return -1;
	*out = (struct pack_pkg){
		.name = str(pk, i, E_NAME),
		.version = str(pk, i, E_VERSION),
		.arch = str(pk, i, E_ARCH),
		.depends = str(pk, i, E_DEPENDS),
		.provides = str(pk, i, E_PROVIDES),
		.pre_depends = f[R_PRE_DEPENDS],
		.conflicts = f[R_CONFLICTS],
		.breaks = f[R_BREAKS],
		.recommends = f[R_RECOMMENDS],
		.suggests = f[R_SUGGESTS],
		.enhances = f[R_ENHANCES],
		.replaces = f[R_REPLACES],
		.section = f[R_SECTION],
		.source = f[R_SOURCE],
		.filename = f[R_FILENAME],
		.multi_arch = f[R_MULTI_ARCH],
		.priority = f[R_PRIORITY],
		.scan = f[R_SCAN],
		.deb_size = strtoull(f[R_DEB_SIZE], NULL, 10),
		.installed_kib = word(pk, i, E_ISIZE_LO) | (uint64_t)word(pk, i, E_ISIZE_HI) << 32,
		.src = word(pk, i, E_SRC),
		.rank = word(pk, i, E_RANK),
		.essential = flags & 16,
		.important = flags & 32,
	};
	snprintf(out->sha256, sizeof(out->sha256), "%s", f[R_SHA256]);
	return 0;
}

void pack_add_prims(struct catalog *cat, struct cat_pack *pk)
{
	size_t base = cat->nprims, bytes = (base + pk->nent + 1) * sizeof(*cat->prims);
	struct cat_prim *v = xcalloc_big(bytes);

	if (base)
		memcpy(v, cat->prims, base * sizeof(*cat->prims));
	free(cat->prims);
	cat->prims = v;
	cat->prims_big = bytes;
	cat->pack = pk;
	for (size_t i = 0; i < pk->nent; i++) {
		const char *arch = str(pk, i, E_ARCH), *name = str(pk, i, E_NAME);
		uint32_t flags = word(pk, i, E_FLAGS);
		cat->prims[base + i] = (struct cat_prim){
			.name = (char *)name,
			.version = (char *)str(pk, i, E_VERSION),
			.kind = (char *)(name[0] == 'l' && name[1] == 'i' && name[2] == 'b' ? "library"
											    : "executable"),
			.size = (word(pk, i, E_ISIZE_LO) | (uint64_t)word(pk, i, E_ISIZE_HI) << 32) * 1024,
			.os = *arch ? (char *)"linux" : NULL,
			.arch = *arch ? (char *)arch : NULL,
			.cat = cat,
			.depends = (char *)str(pk, i, E_DEPENDS),
			.provides = (char *)str(pk, i, E_PROVIDES),
			.conflicts = (char *)str(pk, i, E_CONFLICTS),
			.pack_index = (uint32_t)i + 1,
			.rank = word(pk, i, E_RANK),
			.priority = (uint8_t)(flags & 15),
			.essential = (flags & 16) || (name[0] == 'a' && !strcmp(name, "apt")),
			.important = flags & 32,
		};
	}
	cat->nprims = base + pk->nent;
}

void pack_providers(const struct catalog *cat, struct cat_provider **v, size_t *n, size_t *cap)
{
	const struct cat_pack *pk = cat->pack;
	struct cat_prim *first = cat->prims + cat->nlocal;

	xgrow((void **)v, cap, *n + pk->nprov, sizeof(**v));
	for (size_t i = 0; i < pk->nprov; i++) {
		const unsigned char *p = pk->provs + i * PROV_SIZE;
		uint32_t ver = le32(p + 4);
		(*v)[(*n)++] = (struct cat_provider){
			(char *)pk->strs + le32(p), ver ? (char *)pk->strs + ver : NULL, first + le32(p + 8)};
	}
}

/* ---- metadata ---------------------------------------------------------------------- */

/* A canonical relationship text as a list of its elements. */
static void add_list(json_t *o, const char *key, const char *text)
{
	json_t *a;

	if (!*text)
		return;
	a = json_array();
	for (const char *s = text; *s;) {
		const char *comma = strstr(s, ", ");
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		json_array_append_new(a, json_stringn(s, n));
		s += n;
		if (comma)
			s += 2;
	}
	json_object_set_new(o, key, a);
}

static void add_str(json_t *o, const char *key, const char *s)
{
	if (*s)
		json_object_set_new(o, key, json_string(s));
}

static json_t *apt_object(const struct pack_pkg *e)
{
	json_t *a = json_object();

	json_object_set_new(a, "filename", json_string(e->filename));
	json_object_set_new(a, "sha256", json_string(e->sha256));
	json_object_set_new(a, "size", json_integer((json_int_t)e->deb_size));
	add_str(a, "section", e->section);
	add_str(a, "priority", e->priority);
	add_str(a, "source", e->source);
	add_str(a, "multi_arch", e->multi_arch);
	if (e->essential)
		json_object_set_new(a, "essential", json_true());
	if (e->important)
		json_object_set_new(a, "important", json_true());
	add_list(a, "pre_depends", e->pre_depends);
	add_list(a, "recommends", e->recommends);
	add_list(a, "suggests", e->suggests);
	add_list(a, "enhances", e->enhances);
	add_list(a, "replaces", e->replaces);
	return a;
}

json_t *pack_meta(const struct cat_prim *p, char meta_digest[72], struct diag *d)
{
	struct cat_pack *pk = p->cat->pack;
	struct pack_pkg e;
	json_t *m, *scan = NULL;
	json_error_t err;
	char hex[65];

	if (pack_get(pk, p->pack_index - 1, &e, d) < 0)
		return NULL;
	if (*e.scan && !(scan = json_loads(e.scan, JSON_REJECT_DUPLICATES, &err))) {
		diag_file_error(d, pk->recpath, 0, 0, CAT_RULE, "bad scan results of '%s': %s", e.name,
				err.text);
		return NULL;
	}
	m = json_object();
	json_object_set_new(m, "name", json_string(e.name));
	json_object_set_new(m, "version", json_string(e.version));
	json_object_set_new(m, "kind", json_string(p->kind));
	json_object_set_new(m, "size", json_integer((json_int_t)p->size));
	json_object_set_new(m, "installed_size", json_integer((json_int_t)e.installed_kib));
	if (*e.arch)
		json_object_set_new(m, "platform",
				    json_pack("{s:s,s:s}", "os", "linux", "architecture", e.arch));
	add_list(m, "depends", e.depends);
	add_list(m, "provides", e.provides);
	add_list(m, "conflicts", e.conflicts);
	add_list(m, "breaks", e.breaks);
	if (scan)
		json_object_set_new(m, "scan", scan);
	json_object_set_new(m, "apt", apt_object(&e));
	hex32(ent(pk, p->pack_index - 1) + NWORDS * 4, hex);
	snprintf(meta_digest, 72, "sha256:%s", hex);
	return m;
}

int pack_deb(const struct cat_prim *p, char sha256[65], uint64_t *size, char **url, struct diag *d)
{
	struct cat_pack *pk = p->cat->pack;
	struct pack_pkg e;
	const char *uri;
	size_t n;

	if (pack_get(pk, p->pack_index - 1, &e, d) < 0)
		return -1;
	memcpy(sha256, e.sha256, 65);
	*size = e.deb_size;
	if (url) {
		uri = pack_src(pk, e.src);
		n = strlen(uri);
		while (n && uri[n - 1] == '/')
			n--;
		*url = xasprintf("%.*s/%s", (int)n, uri, e.filename);
	}
	return 0;
}

void pack_prune(const char *dir, const struct cat_pack *keep, long age)
{
	int fd = open_subdir(dir, "packs/sha256");
	DIR *dh = fd >= 0 ? fdopendir(fd) : NULL;
	const char *table = strrchr(keep->path, '/') + 1, *records = strrchr(keep->recpath, '/') + 1;
	struct dirent *de;
	time_t now = time(NULL);

	if (!dh) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dh))) {
		struct stat st;
		if (de->d_name[0] == '.' || !strncmp(de->d_name, table, 64) ||
		    !strncmp(de->d_name, records, 64))
			continue; /* the pack (and its marker) */
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > age)
			unlinkat(dirfd(dh), de->d_name, 0);
	}
	closedir(dh);
}
