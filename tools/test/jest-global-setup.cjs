// Jest gives each test file a copy of process.env, so a test setting VK_ICD_FILENAMES never reaches the Vulkan
// loader. Here, in jest's own process before any worker starts, the webgpu tests' driver is chosen the way
// @kard/nn chooses it for a forced webgpu backend: when no driver is named and no hardware one is installed, the
// SwiftShader one from Debian's chromium (tools/setup/setup.sh installs it). The automatic backend choice ignores a
// software driver, so this changes nothing for the other tests.
const { existsSync, readdirSync } = require('node:fs');

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

module.exports = async () => {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES !== undefined) return;
  const hardware = ICD_DIRS.flatMap((d) => {
    try {
      return readdirSync(d).filter((n) => n.endsWith('.json') && !/swiftshader|lvp|lavapipe/i.test(n));
    } catch {
      return [];
    }
  });
  if (!hardware.length && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
};
