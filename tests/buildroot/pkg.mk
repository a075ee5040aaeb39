# Buildroot's package infrastructure reduced to what acmelet's br2-external
# tree (buildroot/) uses, so that tests/integration/77-buildroot-build.t runs
# the tree's own external.mk and acmelet.mk outside a Buildroot tree: the
# copy of the local source, BUILD_CMDS, INSTALL_TARGET_CMDS and both init
# scripts' commands (Buildroot runs the one of the init system it builds),
# with the variables Buildroot gives a package: TARGET_CONFIGURE_OPTS (the
# part a plain Makefile reads), TARGET_MAKE_ENV, STAGING_DIR, TARGET_DIR,
# INSTALL, $(@D), <PKG>_PKGDIR.
#
# usage: make -f tests/buildroot/pkg.mk BR2_EXTERNAL_ACMELET_PATH=DIR \
#          BUILD_DIR=DIR STAGING_DIR=DIR TARGET_DIR=DIR \
#          TARGET_CROSS=mipsel-linux-gnu- [TARGET_CFLAGS=...] acmelet
#
# Buildroot's toolchain wrapper compiles against STAGING_DIR, its sysroot;
# Debian's cross compiler has a sysroot of its own, so -I and -L put
# STAGING_DIR first instead.

BR2_PACKAGE_ACMELET_CONFIG ?= "configs/staticconfig"
BR2_USE_MMU = y

TARGET_CFLAGS ?= -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE \
	-D_FILE_OFFSET_BITS=64 -Os -g0
override TARGET_CFLAGS += -I$(STAGING_DIR)/usr/include
TARGET_LDFLAGS ?=
override TARGET_LDFLAGS += -L$(STAGING_DIR)/usr/lib
TARGET_CC = $(TARGET_CROSS)gcc
TARGET_AR = $(TARGET_CROSS)ar
TARGET_LD = $(TARGET_CROSS)ld
TARGET_STRIP = $(TARGET_CROSS)strip
INSTALL = install

qstrip = $(strip $(subst ",,$(1)))
UPPERCASE = $(shell echo $(1) | tr a-z- A-Z_)

TARGET_MAKE_ENV = GIT_DIR=. PATH="$(PATH)"
TARGET_CONFIGURE_OPTS = $(TARGET_MAKE_ENV) \
	AR="$(TARGET_AR)" LD="$(TARGET_LD)" CC="$(TARGET_CC)" \
	STRIP="$(TARGET_STRIP)" CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" STAGING_DIR="$(STAGING_DIR)"

# As Buildroot names a package: the directory its .mk file is in.
pkgdir = $(dir $(lastword $(MAKEFILE_LIST)))
pkgname = $(lastword $(subst /, ,$(pkgdir)))
generic-package = $(call inner-package,$(pkgname),$(call UPPERCASE,$(pkgname)),$(pkgdir))

# $(1) name, $(2) NAME, $(3) package directory. A local SITE is copied
# without version control files, as Buildroot does, and here also without
# the build-* directories (only for speed: acmelet.mk builds in one of its
# own); build/ is copied, as Buildroot would.
define inner-package
$(2)_PKGDIR = $(3)
$(2)_BUILDDIR = $$(BUILD_DIR)/$(1)-$$($(2)_VERSION)
$(1): $$($(2)_BUILDDIR)/.stamp_installed
$$($(2)_BUILDDIR)/.stamp_rsynced:
	rm -rf $$(@D)
	mkdir -p $$(@D)
	tar -C $$($(2)_SITE) --exclude-vcs --exclude='./build-*' -cf - . | \
		tar -C $$(@D) -xf -
	touch $$@
$$($(2)_BUILDDIR)/.stamp_built: $$($(2)_BUILDDIR)/.stamp_rsynced
	$$($(2)_BUILD_CMDS)
	touch $$@
$$($(2)_BUILDDIR)/.stamp_installed: $$($(2)_BUILDDIR)/.stamp_built
	$$($(2)_INSTALL_TARGET_CMDS)
	$$($(2)_INSTALL_INIT_SYSV)
	$$($(2)_INSTALL_INIT_SYSTEMD)
	touch $$@
endef

include $(BR2_EXTERNAL_ACMELET_PATH)/external.mk
