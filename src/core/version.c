#include "core/common.h"

rootly_status rootly_version(int *major, int *minor, int *patch)
{
	if (major) *major = ROOTLY_VERSION_MAJOR;
	if (minor) *minor = ROOTLY_VERSION_MINOR;
	if (patch) *patch = ROOTLY_VERSION_PATCH;
	return 0;
}

const char *rootly_version_string(void)
{
	return ROOTLY_VERSION_STRING;
}
