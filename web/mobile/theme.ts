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
  // WCAG 2.1 AA: Vant's grey #969799 and green #07c160 reach about 3:1 / 2.4:1 against white
  textColor2: '#646a73',
  cellValueColor: '#646a73',
  tagSuccessColor: '#05853f',
  tagWarningColor: '#b04a00',
  tagDefaultColor: '#646a73',
  cellVerticalPadding: '12px',
  tabbarHeight: '56px',
  tabbarItemFontSize: '13px',
  tabbarItemIconSize: '24px',
  navBarHeight: '48px',
  buttonLargeHeight: '48px',
  buttonNormalFontSize: '15px',
};

/**
 * Elder mode: every text at 18 px or more (captions, tags and the tab bar too) and every tap target at 44 × 44 px or
 * more (issue #13, checked by e2e/a11y.e2e.test.ts); Vant derives its component sizes from these.
 */
export const elderTheme: ConfigProviderThemeVars = {
  ...baseTheme,
  fontSizeXs: '18px',
  fontSizeSm: '18px',
  fontSizeMd: '19px',
  fontSizeLg: '21px',
  lineHeightXs: '24px',
  lineHeightSm: '26px',
  lineHeightMd: '28px',
  lineHeightLg: '30px',
  cellFontSize: '19px',
  cellLineHeight: '28px',
  cellVerticalPadding: '16px',
  cellIconSize: '22px',
  cellLabelFontSize: '18px',
  cellLabelLineHeight: '26px',
  tabbarHeight: '72px',
  tabbarItemFontSize: '18px',
  tabbarItemIconSize: '28px',
  navBarHeight: '56px',
  navBarTitleFontSize: '21px',
  navBarArrowSize: '22px',
  buttonLargeHeight: '56px',
  buttonNormalFontSize: '18px',
  buttonSmallHeight: '44px',
  buttonSmallFontSize: '18px',
  buttonSmallPadding: '0 14px',
  buttonMiniHeight: '44px',
  buttonMiniFontSize: '18px',
  tagFontSize: '18px',
  tagLineHeight: '26px',
  tagPadding: '2px 8px',
  switchSize: '32px',
  fieldLabelWidth: '5em',
  emptyDescriptionFontSize: '18px',
  emptyDescriptionLineHeight: '28px',
  searchInputHeight: '44px',
  gridItemTextFontSize: '18px',
  gridItemIconSize: '34px',
  badgeFontSize: '18px',
};
