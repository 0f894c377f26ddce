// Element Plus, registered component by component so that the bundle only carries what the
// console uses (the stylesheet is imported whole in main.js).
import {
  ElAlert, ElAside, ElAvatar, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox,
  ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElDivider, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm,
  ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLink, ElMain, ElMenu, ElMenuItem,
  ElOption, ElOptionGroup, ElPagination, ElPopconfirm, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElRow, ElSelect, ElSkeleton,
  ElSpace, ElSubMenu, ElSwitch, ElProgress, ElSteps, ElStep, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag, ElText, ElTooltip, ElTree,
  ElTreeSelect, ElLoading, ElTimeline, ElTimelineItem, ElCheckboxGroup, ElRate, ElBadge, ElInputTag,
} from 'element-plus'

const components = [
  ElAlert, ElAside, ElAvatar, ElBreadcrumb, ElBreadcrumbItem, ElButton, ElCard, ElCheckbox,
  ElCol, ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElDivider, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm,
  ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLink, ElMain, ElMenu, ElMenuItem,
  ElOption, ElOptionGroup, ElPagination, ElPopconfirm, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElRow, ElSelect, ElSkeleton,
  ElSpace, ElSubMenu, ElSwitch, ElProgress, ElSteps, ElStep, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag, ElText, ElTooltip, ElTree,
  ElTreeSelect, ElTimeline, ElTimelineItem, ElCheckboxGroup, ElRate, ElBadge, ElInputTag,
]

export function installElement(app) {
  for (const c of components) app.use(c)
  app.use(ElLoading)
}
