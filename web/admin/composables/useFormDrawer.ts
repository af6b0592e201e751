import type { Ref } from 'vue';
import { ElMessage, type FormInstance } from 'element-plus';
import { useFormDrawer as useCommonFormDrawer, type FormDrawerOptions } from '../../common/useFormDrawer';
import { msg } from '../locales/zh-CN';

/**
 * A create/edit drawer or dialog: the shared form (web/common/useFormDrawer.ts) with the el-form's rules checked
 * first (`formRef`: `const formRef = ref<FormInstance>()`, bound as `<el-form ref="formRef">`), Element Plus
 * messages, and each field error on its `<el-form-item :error="errors.name">`. `savedMessage` replaces 已创建 /
 * 已更新 for a form that does something else (申请已提交, or a text made from the answer).
 */
export function useFormDrawer<F, R = unknown>(
  formRef: Ref<FormInstance | undefined>,
  options: Omit<FormDrawerOptions<F, R>, 'ui'> & {
    savedMessage?: string | ((result: R, created: boolean) => string);
  },
) {
  const { savedMessage } = options;
  const savedText = (result: R, created: boolean): string =>
    typeof savedMessage === 'function'
      ? savedMessage(result, created)
      : (savedMessage ?? (created ? msg.common.created : msg.common.updated));
  const drawer = useCommonFormDrawer<F, R>({
    ...options,
    onSaved: (result, created) => {
      ElMessage.success(savedText(result, created));
      options.onSaved?.(result, created);
    },
    ui: {
      validate: async () => (formRef.value ? await formRef.value.validate().catch(() => false) : true),
      invalid: () => ElMessage.warning(msg.common.formInvalid),
      failed: (message) => ElMessage.error(message),
    },
  });
  return drawer;
}
