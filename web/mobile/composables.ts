import { useRouter } from 'vue-router';

/** Back to where the user came from, or to 首页 when the page was opened directly. */
export function useBack(fallback = '/'): () => void {
  const router = useRouter();
  return () => {
    if (window.history.state?.back) router.back();
    else void router.replace(fallback);
  };
}
