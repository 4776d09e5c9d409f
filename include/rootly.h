/**
 * @file rootly.h
 * @brief librootly: the incident lifecycle as an embeddable C library.
 *
 * The umbrella header: everything except rootly/sys/ (for backend
 * implementers) and loop attachments.
 */
#ifndef INCLUDE_rootly_h__
#define INCLUDE_rootly_h__

#include "rootly/common.h"
#include "rootly/version.h"
#include "rootly/errors.h"
#include "rootly/ctx.h"
#include "rootly/incident.h"
#include "rootly/timeline.h"
#include "rootly/alert.h"
#include "rootly/task.h"
#include "rootly/metrics.h"
#include "rootly/postmortem.h"
#include "rootly/config.h"
#include "rootly/workflow.h"
#include "rootly/signature.h"
#include "rootly/outbox.h"

#endif
