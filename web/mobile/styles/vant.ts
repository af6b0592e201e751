/**
 * Vant styles for only the components the H5 uses (the full sheet is four times larger,
 * which matters on a village 4G connection). Add a line when a page starts using a new component.
 */
import 'vant/es/style/base.css';
import 'vant/es/config-provider/style/index';
import 'vant/es/tabbar/style/index';
import 'vant/es/tabbar-item/style/index';
import 'vant/es/nav-bar/style/index';
import 'vant/es/button/style/index';
import 'vant/es/cell/style/index';
import 'vant/es/cell-group/style/index';
import 'vant/es/field/style/index';
import 'vant/es/form/style/index';
import 'vant/es/tag/style/index';
import 'vant/es/empty/style/index';
import 'vant/es/loading/style/index';
import 'vant/es/skeleton/style/index';
import 'vant/es/pull-refresh/style/index';
import 'vant/es/search/style/index';
import 'vant/es/switch/style/index';
import 'vant/es/icon/style/index';
import 'vant/es/grid/style/index';
import 'vant/es/grid-item/style/index';
import 'vant/es/toast/style/index';
import 'vant/es/dialog/style/index';
import 'vant/es/notice-bar/style/index';
import 'vant/es/image-preview/style/index';
import 'vant/es/steps/style/index';
import 'vant/es/step/style/index';
import 'vant/es/popup/style/index';
import 'vant/es/cascader/style/index';
import 'vant/es/checkbox/style/index';
import 'vant/es/tabs/style/index';
import 'vant/es/tab/style/index';
import 'vant/es/sticky/style/index';
import 'vant/es/sidebar/style/index';
import 'vant/es/sidebar-item/style/index';
import 'vant/es/radio/style/index';
import 'vant/es/radio-group/style/index';
import 'vant/es/checkbox-group/style/index';
import 'vant/es/picker/style/index';
import 'vant/es/date-picker/style/index';
import 'vant/es/rate/style/index';
import 'vant/es/uploader/style/index';
import 'vant/es/image/style/index';
import 'vant/es/list/style/index';
