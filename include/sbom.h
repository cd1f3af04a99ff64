/* sbom.h - the SPDX 2.3 JSON document of an image.
 *
 * One package for the image (SPDXRef-Image: the policy's name, its
 * manifest digest as checksum and a pkg:oci purl), which the document
 * DESCRIBES and which CONTAINS one package per selected primitive:
 *
 *   name, versionInfo       the primitive's
 *   supplier                "Person: NAME (EMAIL)" from the .deb's
 *                           Maintainer, else NOASSERTION
 *   checksums               SHA256 of the content tar (its digest)
 *   licenseDeclared         the License of the "Files: *" paragraph of a
 *                           machine-readable debian/copyright, as an SPDX
 *                           expression (sbom_license); for other primitives
 *                           their metadata's license; else NOASSERTION
 *   externalRefs            purl pkg:deb/debian/NAME@VERSION?arch=ARCH for a
 *                           .deb, pkg:generic/NAME@VERSION otherwise
 *
 * and a DEPENDS_ON relationship per edge of the resolver's graph. Packages
 * are sorted by name and version (SPDXRef-Package-N-NAME, N their rank),
 * relationships by their text; created is the epoch in RFC 3339 and the
 * document namespace is derived from the content, so the same inputs give
 * the same bytes.
 */
#ifndef CPOLC_SBOM_H
#define CPOLC_SBOM_H

#include <stddef.h>

#include <jansson.h>

#include "decision.h"

#define SBOM_MEDIA_TYPE "application/spdx+json"

/* What the document describes; every pointer borrowed. */
struct sbom_in {
	const char *name;	     /* the image's: the policy name */
	const char *manifest_digest; /* "sha256:HEX" of the image manifest */
	long long epoch;	     /* SOURCE_DATE_EPOCH: creationInfo.created */
	const struct decision *dec;  /* selected and edges */
	json_t *const *info;	     /* info[i]: package data of dec->selected[i], or NULL */
};

/* The document, two-space indent, final newline. Caller frees. */
char *sbom_spdx(const struct sbom_in *in, size_t *len);

/* A Debian copyright-format license expression ("GPL-2+ or Artistic") as
 * an SPDX license expression ("GPL-2.0-or-later OR Artistic-1.0"): short
 * names mapped to SPDX identifiers, others written LicenseRef-NAME, "or"
 * and "and" as OR and AND; an expression with an exception ("with") is one
 * LicenseRef. Caller frees. */
char *sbom_license(const char *debian);

#endif
