/*
 * The scenarios of `ratool capture`: conversations between our novice and our expert (ra/rig.h),
 * each a list of acts - one novice configuration, the expert's attempts against it - played into
 * one capture (ra/capture.h). A scenario checks that each attempt ends as it should (an offer, or
 * the refusal the act is about); anything else fails the capture with RA_ERROR_PROTOCOL, so a
 * capture never shows something other than what its comments say.
 *
 * Addresses (documentation ranges): the expert 192.0.2.20 (2001:db8::20), the novice 192.0.2.10
 * (2001:db8::10), a second novice 192.0.2.11; activation port 135, object exporter port 49668,
 * the expert's ports from 49750 up; the expert's workstation EXPERT, the novices NOVICE and
 * NOVICE2. Accounts: CONTOSO\expert (in the helpers group) and CONTOSO\mallory (not), both with
 * the run's password - so one password decrypts every sealed conversation.
 */
#ifndef RATOOL_CAPTURE_SCENARIOS_H
#define RATOOL_CAPTURE_SCENARIOS_H

#include "ra/capture.h"

#include <glib.h>
#include <stdio.h>

/* The password of both accounts unless --password says otherwise (README, testdata). */
#define CAPTURE_DEFAULT_PASSWORD "Exp3rt-Pw!"
/* The seed of the random generator unless --seed says otherwise. */
#define CAPTURE_DEFAULT_SEED "ms-rai reference capture"

typedef struct {
    RaCapture *capture;   /* where the conversations go */
    gboolean sealed;      /* PKT_PRIVACY; otherwise PKT_INTEGRITY (signed, readable) */
    const char *password; /* both accounts' password */
    const char *seed;     /* each act reseeds with "<seed>/<scenario>/<act>" */
    FILE *progress;       /* one line per act, or NULL */
    /* kept by the scenarios */
    guint16 next_expert_port;
    guint acts;
    guint64 offers, refusals, pdus;
} CaptureRun;

typedef struct {
    const char *name;
    const char *summary;
    gboolean (*run)(CaptureRun *run, const char *name, GError **error);
} CaptureScenario;

/* The scenarios, in the order `all` runs them (without the meta scenarios all and sealed). */
const CaptureScenario *capture_scenarios(guint *n);
/* The scenario called name, or NULL. */
const CaptureScenario *capture_scenario_find(const char *name);

/* Initializes a run (fields as above; seed and password default). */
void capture_run_init(CaptureRun *run, RaCapture *capture);

#endif
