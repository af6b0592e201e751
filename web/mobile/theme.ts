import type { ConfigProviderThemeVars } from 'vant';

/** 文明实践 red on white. */
export const ACCENT = '#C8161D';

export const baseTheme: ConfigProviderThemeVars = {
  primaryColor: ACCENT,
  buttonPrimaryBackground: ACCENT,
  buttonPrimaryBorderColor: ACCENT,
  tabbarItemActiveColor: ACCENT,
  navBarIconColor: ACCENT,
  navBarTextColor: ACCENT,
  switchOnBackground: ACCENT,
  pullRefreshHeadTextColor: '#646566',
  cellVerticalPadding: '12px',
  tabbarHeight: '56px',
  tabbarItemFontSize: '13px',
  tabbarItemIconSize: '24px',
  navBarHeight: '48px',
  buttonLargeHeight: '48px',
  buttonNormalFontSize: '15px',
};

/** Elder mode: every size about a quarter larger; Vant derives its component sizes from these. */
export const elderTheme: ConfigProviderThemeVars = {
  ...baseTheme,
  fontSizeXs: '13px',
  fontSizeSm: '15px',
  fontSizeMd: '18px',
  fontSizeLg: '20px',
  lineHeightXs: '18px',
  lineHeightSm: '22px',
  lineHeightMd: '26px',
  lineHeightLg: '28px',
  cellLineHeight: '28px',
  cellVerticalPadding: '16px',
  cellIconSize: '20px',
  cellLabelFontSize: '15px',
  cellLabelLineHeight: '22px',
  tabbarHeight: '66px',
  tabbarItemFontSize: '16px',
  tabbarItemIconSize: '28px',
  navBarHeight: '56px',
  navBarTitleFontSize: '20px',
  navBarArrowSize: '20px',
  buttonLargeHeight: '56px',
  buttonNormalFontSize: '18px',
  tagFontSize: '15px',
  tagLineHeight: '22px',
  tagPadding: '2px 8px',
  switchSize: '32px',
  fieldLabelWidth: '5em',
  emptyDescriptionFontSize: '18px',
  emptyDescriptionLineHeight: '28px',
  searchInputHeight: '40px',
  gridItemTextFontSize: '17px',
  gridItemIconSize: '34px',
};
