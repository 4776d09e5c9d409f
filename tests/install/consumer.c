/*
 * A tiny program built against an *installed* librootly, once through
 * pkg-config and once through find_package(rootly) (tests/install/run.sh).
 * It uses only the public headers and checks that header and library agree.
 */
#include <rootly.h>

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { fprintf(stderr, "consumer: check failed: %s (line %d)\n", #cond, __LINE__); failures++; } \
} while (0)

int main(void)
{
	int major = -1, minor = -1, patch = -1;
	const char *v = rootly_version_string();

	CHECK(v != NULL && strcmp(v, ROOTLY_VERSION_STRING) == 0);
	CHECK(rootly_version(&major, &minor, &patch) == 0);
	CHECK(major == ROOTLY_VERSION_MAJOR && minor == ROOTLY_VERSION_MINOR && patch == ROOTLY_VERSION_PATCH);

	CHECK(rootly_strerror(ROOTLY_ENOTFOUND) != NULL && rootly_strerror(ROOTLY_ENOTFOUND)[0] != '\0');
	CHECK(strcmp(rootly_err_name(ROOTLY_ENOTFOUND), "ROOTLY_ENOTFOUND") == 0);
	CHECK(rootly_error_last() != NULL && rootly_error_last()->message != NULL);

	/* The engine, on the in-memory store: declare, read back, and fail cleanly. */
	{
		rootly_ctx_options opts = ROOTLY_CTX_OPTIONS_INIT;
		rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
		rootly_ctx *ctx = NULL;
		rootly_incident *inc = NULL, *again = NULL, *missing = NULL;

		opts.storage_uri = "memory:";
		opts.actor = "install-test";
		CHECK(rootly_ctx_open(&ctx, &opts) == 0 && ctx != NULL);
		if (ctx) {
			io.title = "installed library works";
			CHECK(rootly_incident_create(&inc, ctx, &io) == 0 && inc != NULL);
			if (inc) {
				CHECK(strcmp(rootly_incident_ref(inc), "INC-1") == 0);
				CHECK(rootly_incident_get(&again, ctx, "INC-1") == 0 && again != NULL);
				if (again)
					CHECK(strcmp(rootly_incident_id(again), rootly_incident_id(inc)) == 0);
			}
			CHECK(rootly_incident_get(&missing, ctx, "INC-404") == ROOTLY_ENOTFOUND && missing == NULL);
			CHECK(rootly_error_last()->code == ROOTLY_ENOTFOUND && rootly_error_last()->message[0] != '\0');
			rootly_incident_free(again);
			rootly_incident_free(inc);
			rootly_ctx_free(ctx);
		}
	}

	if (failures) return 1;
	printf("consumer: librootly %s (header %s) ok\n", v, ROOTLY_VERSION_STRING);
	return 0;
}
