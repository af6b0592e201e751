import type { Ref } from 'vue';
import { ElMessage, type FormInstance } from 'element-plus';
import { useFormDrawer as useCommonFormDrawer, type FormDrawerOptions } from '../../common/useFormDrawer';
import { msg } from '../locales/zh-CN';

/**
 * A create/edit drawer or dialog: the shared form (web/common/useFormDrawer.ts) with the el-form's rules checked
 * first (`formRef`: `const formRef = ref<FormInstance>()`, bound as `<el-form ref="formRef">`), Element Plus
 * messages, and each field error on its `<el-form-item :error="errors.name">`.
 */
export function useFormDrawer<F, R = unknown>(
  formRef: Ref<FormInstance | undefined>,
  options: Omit<FormDrawerOptions<F, R>, 'ui'>,
) {
  const drawer = useCommonFormDrawer<F, R>({
    ...options,
    ui: {
      validate: async () => (formRef.value ? await formRef.value.validate().catch(() => false) : true),
      invalid: () => ElMessage.warning(msg.common.formInvalid),
      failed: (message) => ElMessage.error(message),
      saved: (created) => ElMessage.success(created ? msg.common.created : msg.common.updated),
    },
  });
  return drawer;
}
