// `twinfold emulator`: placeholder until the emulator lands.
export async function run(_argv: string[]): Promise<number> {
  console.error('twinfold emulator: not built yet');
  return 1;
}
