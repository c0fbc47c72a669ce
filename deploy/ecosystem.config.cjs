// pm2 process file: `pm2 start deploy/ecosystem.config.cjs && pm2 save`.
module.exports = {
  apps: [
    {
      name: 'lean-order-bot',
      script: 'dist/main.js',
      cwd: `${__dirname}/..`,
      node_args: '--max-semi-space-size=2 --max-old-space-size=96 --optimize-for-size --single-threaded-gc',
      max_memory_restart: '120M',
      kill_timeout: 25000,
      env: {
        NODE_ENV: 'production',
        DATA_DIR: `${__dirname}/../data`,
        // The same malloc settings as `npm start`: one arena, freed memory handed back to the system.
        MALLOC_ARENA_MAX: '1',
        MALLOC_TRIM_THRESHOLD_: '1048576',
        MALLOC_MMAP_THRESHOLD_: '262144',
      },
    },
  ],
};
