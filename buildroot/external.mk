include $(sort $(wildcard $(BR2_EXTERNAL_ACMELET_PATH)/package/*/*.mk))
