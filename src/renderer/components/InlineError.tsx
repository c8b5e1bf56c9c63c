// An error from a call, shown right where the user acted; announced by screen readers.
export function InlineError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <p class="inline-error" role="alert" id={id}>
      {message}
    </p>
  );
}
