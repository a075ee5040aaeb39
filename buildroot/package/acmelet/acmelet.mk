################################################################################
#
# acmelet
#
################################################################################

# The source is the tree this br2-external lives in: acmelet has no
# release tarball yet. Buildroot copies it without its .git.
ACMELET_VERSION = 0.1.0
ACMELET_SITE = $(BR2_EXTERNAL_ACMELET_PATH)/..
ACMELET_SITE_METHOD = local
ACMELET_LICENSE = MIT
ACMELET_LICENSE_FILES = LICENSE
ACMELET_DEPENDENCIES = bearssl jsmn

# CC, CFLAGS, LDFLAGS and AR go in the environment, not on make's command
# line, so that acmelet's Makefile adds its own flags (-std=c11, -I...) to
# Buildroot's. bearssl.h, jsmn.h and libbearssl come from the staging
# directory, the toolchain's sysroot. SOURCE_DATE_EPOCH, when Buildroot
# exports it (BR2_REPRODUCIBLE), is the build time the binary embeds.
# WERROR=0: a warning of a newer compiler does not fail the build.
# BUILD: the copy of the source may hold the developer's own build/ (host
# objects make would take as up to date); this one is Buildroot's alone.
ACMELET_MAKE_OPTS = \
	CONFIG="$(call qstrip,$(BR2_PACKAGE_ACMELET_CONFIG))" \
	BUILD=build-buildroot \
	WERROR=0

define ACMELET_BUILD_CMDS
	$(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) $(ACMELET_MAKE_OPTS) all
endef

# /etc/acmelet, the state directory, exists before the first start: the
# systemd unit may write only there, and cannot make it.
define ACMELET_INSTALL_TARGET_CMDS
	$(INSTALL) -D -m 0755 $(@D)/build-buildroot/acmelet $(TARGET_DIR)/usr/sbin/acmelet
	$(INSTALL) -d -m 0700 $(TARGET_DIR)/etc/acmelet
endef

define ACMELET_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(ACMELET_PKGDIR)/S50acmelet \
		$(TARGET_DIR)/etc/init.d/S50acmelet
endef

# acmelet.service is a link to dist/acmelet.service, the project's unit.
define ACMELET_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(ACMELET_PKGDIR)/acmelet.service \
		$(TARGET_DIR)/usr/lib/systemd/system/acmelet.service
endef

$(eval $(generic-package))
