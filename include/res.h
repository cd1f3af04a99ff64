/* res.h - the resolver: from a decision's requests to selected primitives.
 *
 * Algorithm (deterministic; the greedy choices first, then a search):
 *   1. Included names are taken in name order (exclusion overrides
 *      inclusion: an excluded include is dropped). Each gets the highest
 *      version (ver_cmp) that meets every include constraint on the name
 *      (.cpol operators), fits the platform and passes the admit filter; a
 *      name with no real versions is looked up among virtual names.
 *   2. The chosen primitives' Depends are processed breadth first, each
 *      element in order. An element already satisfied by a selected
 *      primitive (by name and version, or by its Provides) links to it.
 *      Otherwise its alternatives are tried in order: the highest eligible
 *      version of the named primitive meeting the relation (Debian
 *      operators), else the first eligible provider (providers in name
 *      order, highest version first; a versioned dependency needs a
 *      versioned Provides that satisfies it). An excluded name is never
 *      chosen. A name is chosen once (cycles such as libc6 <-> libgcc-s1
 *      simply find the other side already chosen).
 *   3. Conflicts and Breaks between selected primitives (by name, or by a
 *      virtual name another selected primitive provides) are failures.
 *   4. Each choice of steps 1 and 2 is a choice point. When an element can
 *      no longer be met (its name is chosen at a version that does not
 *      satisfy it, or no candidate is eligible) or two selected primitives
 *      conflict, the choices that could cure it are blamed: those that
 *      pulled the element's dependent in, and those that chose what blocks
 *      it. The latest blamed choice is undone, with every later one, and
 *      its next candidate taken (conflict-directed backjumping). So the
 *      result is the first selection, in the order of the candidates at
 *      each choice, that meets everything: "the highest versions that
 *      work". After RES_MAX_BACKTRACKS undone choices, or when nothing is
 *      left to undo, the errors reported are those of the greedy choices.
 *   5. selected is ordered dependencies first (strongly connected
 *      components, i.e. cycles, kept together in name order), ties by name;
 *      edges are sorted and unique.
 * Every error names the chain that needed the primitive (web -> app ->
 * libssl3); "no eligible version" adds a note per rejected candidate.
 *
 * apt order. When a catalog of the set holds packages of apt repositories
 * (catalog import-apt), steps 1 and 2 follow what apt-get install does
 * with an empty status and --no-install-recommends (MarkInstall in apt's
 * apt-pkg/depcache.cc, apt 2.6), so that the first selection is apt's:
 *   - Each include (in name order) is taken with its dependencies depth
 *     first: an element is decided when its dependent's earlier elements
 *     and everything they pulled in are, so an element that something
 *     selected meanwhile satisfies links to it.
 *   - An element's candidates are, alternative by alternative, apt's
 *     solutions: the candidate of the named package (its highest eligible
 *     version) when it meets the relation, then the providers that are
 *     their package's candidate, ordered as apt orders them: Essential
 *     first, then Important, then the lower Priority (required, important,
 *     standard, optional, extra; none sorts first, as in apt), then the
 *     package apt's cache numbers later (the order in which the Packages
 *     indexes first name it). Only then, beyond apt, the other eligible
 *     versions and providers, for the search of step 4.
 *   - A candidate is passed over unless each of its dependency elements can
 *     be met by a selected primitive or by the candidate of a named package
 *     or provider (apt's look ahead, IsInstallOkDependenciesSatisfiable-
 *     ByCandidates).
 *   Where apt fails (a conflict it resolves by dropping or keeping back
 *   packages, a dependency it cannot meet), the search of step 4 goes on
 *   where apt would stop or leave marks behind; Essential packages are not
 *   added unless something depends on them, as with an empty status.
 */
#ifndef CPOLC_RES_H
#define CPOLC_RES_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cat.h"
#include "decision.h"
#include "diag.h"

/* An admit filter over a candidate: sets *ok, and when false *failed_at to
 * "FILE:LINE:COL" of the filter that rejected it (borrowed, must live as
 * long as the decision). Returns 0, or -1 after reporting a runtime error
 * in d (resolution then stops). */
typedef int (*res_admit_fn)(void *ctx, const struct cat_prim *cand, bool *ok, const char **failed_at,
			    struct diag *d);

/* Choices the search undoes before it gives up (res.h, step 4). */
#define RES_MAX_BACKTRACKS 2000

/* The platform when the decision names none (as decision_to_json prints). */
#define RES_DEFAULT_PLATFORM "linux/amd64"

/* Resolve dec->requests minus dec->excludes against cs for dec->platform;
 * admit (may be NULL) is called for each candidate considered (after the
 * constraint and platform checks). Fills dec->selected (dependencies before
 * dependents, ties by name; reason "include at AT" or "dependency of NAME")
 * and dec->edges (from dependent to dependency, sorted), replacing what a
 * previous call left there. Every selected
 * primitive is loaded (cat_prim_load). Returns 0, or -1 after reporting
 * every resolution error in d (rule ids "missing-primitive",
 * "no-eligible-version", "excluded-dependency", "version-conflict",
 * "conflict"). */
int res_resolve(const struct catset *cs, struct decision *dec, res_admit_fn admit, void *ctx, struct diag *d);

/* A version to take first for a name when it is eligible (build --locked:
 * the lock's versions), so that a lock made before a catalog gained newer
 * versions still resolves to what it records. Borrowed. */
struct res_pin {
	const char *name, *version;
};

/* res_resolve with pins: for each pinned name, its pinned version is the
 * first candidate (apt order: the candidate), then the others in order. */
int res_resolve_pinned(const struct catset *cs, struct decision *dec, const struct res_pin *pins,
		       size_t npins, res_admit_fn admit, void *ctx, struct diag *d);

/* Why the candidate p is not eligible for dec (cpolc explain): "version V
 * does not satisfy '>= 2' (include at F:L:C)", "version V is for OS/ARCH,
 * not PLATFORM", "version V rejected by admit filter at F:L:C; it has
 * CVE-... (critical), ..." (caller frees); NULL when it is eligible. The
 * same test as the resolver's, admit as for res_resolve. */
char *res_why_not(const struct catset *cs, struct decision *dec, const struct cat_prim *p, res_admit_fn admit,
		  void *ctx, struct diag *d);

/* The graph of a resolved decision in Graphviz DOT: nodes "name\nversion",
 * edges dependent -> dependency, the policy's own includes bold. */
void res_graph_dot(const struct decision *dec, FILE *out);
/* The same as JSON: {"policy", "platform", "nodes": [{"name", "version",
 * "digest", "requested", "reason"}], "edges": [{"from", "to"}]}. Caller
 * owns the result. */
json_t *res_graph_json(const struct decision *dec);

#endif
